"""The `resource` and `attributes` processors with the real Python SDK: spans through OTLP/gRPC and metrics through
OTLP/HTTP, changed as a Collector config says, checked where they leave: a Python OTLP/HTTP trace receiver and the
gateway's own `prometheus` exporter endpoint."""

from __future__ import annotations

import hashlib
import time

import requests
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import tracehelpers as th
from gwhelpers import Ports, free_ports, gateway_config


def test_sdk_data_changed_as_the_collector_config_says(gateways):
    rx = th.HTTPTraceReceiver().start()
    try:
        ports = Ports.allocate()
        prom_port = free_ports(1)[0]
        cfg = gateway_config(
            ports,
            processors={
                "resource": {"attributes": [
                    {"key": "k8s.pod.name", "value": "pod-7", "action": "upsert"},
                    {"key": "telemetry.sdk.language", "action": "delete"},
                ]},
                "attributes/scrub": {
                    "exclude": {"match_type": "regexp", "span_names": ["^health"]},
                    "actions": [
                        {"key": "user.email", "action": "hash"},
                        {"pattern": "^internal\\.", "action": "delete"},
                        {"key": "http.target", "pattern": "^/api/(?P<api_version>v[0-9]+)/", "action": "extract"},
                        {"key": "http.status_code", "converted_type": "int", "action": "convert"},
                    ],
                },
                "attributes/metrics": {
                    "include": {"match_type": "strict", "metric_names": ["itest.requests"]},
                    "actions": [{"key": "pod", "action": "delete"}],
                },
            },
            exporters={
                "otlphttp/down": th.otlphttp_exporter(f"http://127.0.0.1:{rx.port}"),
                "prometheus": {"endpoint": f"127.0.0.1:{prom_port}"},
            },
            pipelines={
                "traces": {"receivers": ["otlp"], "processors": ["resource", "attributes/scrub"],
                           "exporters": ["otlphttp/down"]},
                "metrics": {"receivers": ["otlp"], "processors": ["resource", "attributes/metrics"],
                            "exporters": ["prometheus"]},
            },
        )
        gw = gateways.start(cfg, ports=ports)

        provider = TracerProvider(resource=Resource.create({"service.name": "proc-test"}))
        provider.add_span_processor(SimpleSpanProcessor(th.sdk_grpc_exporter(gw.grpc_target)))
        tracer = provider.get_tracer("itest")
        with tracer.start_as_current_span("GET /api/v2/users") as span:
            span.set_attribute("user.email", "alice@example.com")
            span.set_attribute("internal.debug", "x")
            span.set_attribute("http.target", "/api/v2/users/7")
            span.set_attribute("http.status_code", "404")
        with tracer.start_as_current_span("healthz") as span:
            span.set_attribute("user.email", "probe@example.com")
        provider.shutdown()

        th.wait_until(lambda: rx.span_count() >= 2, 15, "2 spans downstream", context=gw.logs_tail)
        spans = {r.span["name"]: r for r in rx.accepted_spans()}
        api, health = spans["GET /api/v2/users"], spans["healthz"]
        for record in (api, health):
            assert record.resource.get("k8s.pod.name") == ("string", "pod-7"), record.resource
            assert "telemetry.sdk.language" not in record.resource, record.resource
        attrs = api.span["attributes"]
        assert attrs["user.email"] == ("string", hashlib.sha256(b"alice@example.com").hexdigest()), attrs
        assert "internal.debug" not in attrs, attrs
        assert attrs["api_version"] == ("string", "v2"), attrs
        assert attrs["http.status_code"] == ("int", 404), attrs
        # Excluded by span name: untouched.
        assert health.span["attributes"]["user.email"] == ("string", "probe@example.com")

        meter_provider = MeterProvider(
            resource=Resource.create({"service.name": "proc-test"}),
            metric_readers=[PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=gw.http_url("/v1/metrics")), export_interval_millis=60_000)])
        meter = meter_provider.get_meter("itest")
        meter.create_counter("itest.requests").add(3, {"pod": "p1", "route": "/a"})
        meter.create_counter("itest.other").add(1, {"pod": "p1"})
        meter_provider.shutdown()

        def scrape() -> str:
            return requests.get(f"http://127.0.0.1:{prom_port}/metrics", timeout=5).text

        th.wait_until(lambda: "itest_requests" in scrape() and "itest_other" in scrape(), 15, "metrics scraped",
                      context=gw.logs_tail)
        lines = [line for line in scrape().splitlines() if not line.startswith("#")]
        requests_lines = [line for line in lines if line.startswith("itest_requests")]
        other_lines = [line for line in lines if line.startswith("itest_other")]
        assert requests_lines and all('pod="' not in line and 'route="/a"' in line for line in requests_lines), lines
        assert other_lines and all('pod="p1"' in line for line in other_lines), lines
        target_info = [line for line in lines if line.startswith("target_info")]
        assert target_info and 'k8s_pod_name="pod-7"' in target_info[0], target_info
    finally:
        rx.stop()


def test_a_span_property_in_a_metrics_pipeline_is_refused_at_start(gateway_bin, tmp_path):
    import subprocess

    import yaml

    ports = Ports.allocate()
    cfg = gateway_config(
        ports,
        processors={"attributes": {"include": {"match_type": "strict", "span_names": ["x"]},
                                   "actions": [{"key": "a", "action": "delete"}]}},
        pipelines={"metrics": {"receivers": ["otlp"], "processors": ["attributes"], "exporters": ["debug"]}},
    )
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg))
    start = time.monotonic()
    done = subprocess.run([gateway_bin, "validate", "--config", str(path)], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode != 0
    assert 'service.pipelines.metrics.processors: "attributes" include.span_names does not apply to metrics' in (
        done.stdout + done.stderr), done.stdout + done.stderr
    assert time.monotonic() - start < 30


def test_a_collector_config_with_pprof_runs_with_one_warning(gateways):
    ports = Ports.allocate()
    cfg = gateway_config(ports)
    cfg["extensions"] = {**cfg.get("extensions", {}), "pprof": {"endpoint": "localhost:1777"}}
    cfg["service"]["extensions"] = [*cfg["service"].get("extensions", []), "pprof"]
    gw = gateways.start(cfg, ports=ports)
    th.wait_until(lambda: "pprof extension accepted but not served" in gw.logs_tail(200), 10, "the pprof warning",
                  context=gw.logs_tail)
    assert gw.logs_tail(200).count("pprof extension accepted but not served") == 1


def test_filter_drops_what_its_ottl_conditions_select(gateways):
    rx = th.HTTPTraceReceiver().start()
    try:
        ports = Ports.allocate()
        cfg = gateway_config(
            ports,
            processors={"filter/health": {
                "error_mode": "ignore",
                "traces": {
                    "span": ['attributes["http.route"] == "/healthz"',
                             'kind == SPAN_KIND_INTERNAL and end_time_unix_nano - start_time_unix_nano < 1000000'],
                    "spanevent": ['IsMatch(name, "^cache")'],
                },
            }},
            exporters={"otlphttp/down": th.otlphttp_exporter(f"http://127.0.0.1:{rx.port}")},
            pipelines={"traces": {"receivers": ["otlp"], "processors": ["filter/health"],
                                  "exporters": ["otlphttp/down"]}},
        )
        gw = gateways.start(cfg, ports=ports)
        provider = TracerProvider(resource=Resource.create({"service.name": "filter-test"}))
        provider.add_span_processor(SimpleSpanProcessor(th.sdk_grpc_exporter(gw.grpc_target)))
        tracer = provider.get_tracer("itest")
        from opentelemetry.trace import SpanKind

        t0 = time.time_ns()
        with tracer.start_as_current_span("probe", kind=SpanKind.SERVER, attributes={"http.route": "/healthz"}):
            pass
        # An internal span of 0.1 ms: dropped; one of 5 ms: kept.
        tracer.start_span("tiny", kind=SpanKind.INTERNAL, start_time=t0).end(end_time=t0 + 100_000)
        tracer.start_span("slow", kind=SpanKind.INTERNAL, start_time=t0).end(end_time=t0 + 5_000_000)
        with tracer.start_as_current_span("GET /users", kind=SpanKind.SERVER,
                                          attributes={"http.route": "/users"}) as span:
            span.add_event("cache miss")
            span.add_event("db query")
        provider.shutdown()

        th.wait_until(lambda: rx.span_count() >= 2, 15, "2 spans downstream", context=gw.logs_tail)
        time.sleep(0.5)
        spans = {r.span["name"]: r.span for r in rx.accepted_spans()}
        assert sorted(spans) == ["GET /users", "slow"], sorted(spans)
        assert [e["name"] for e in spans["GET /users"]["events"]] == ["db query"], spans["GET /users"]["events"]
        filtered = requests.get(gw.telemetry_url, timeout=5).text
        assert 'otelcol_processor_filter_spans_filtered_total{filter="filter/health"} 2' in filtered, filtered
    finally:
        rx.stop()


def test_resourcedetection_adds_the_environment_and_the_host(gateways, monkeypatch):
    import socket

    rx = th.HTTPTraceReceiver().start()
    try:
        # Read by the gateway process only: the SDK's resource below is built without the environment.
        monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "k8s.pod.name=pod-9,deployment.environment=prod%2Ceu")
        ports = Ports.allocate()
        cfg = gateway_config(
            ports,
            processors={"resourcedetection": {"detectors": ["env", "system", "ec2"], "override": False}},
            exporters={"otlphttp/down": th.otlphttp_exporter(f"http://127.0.0.1:{rx.port}")},
            pipelines={"traces": {"receivers": ["otlp"], "processors": ["resourcedetection"],
                                  "exporters": ["otlphttp/down"]}},
        )
        gw = gateways.start(cfg, ports=ports)
        provider = TracerProvider(resource=Resource({"service.name": "detect-test", "k8s.pod.name": "from-sdk"}))
        provider.add_span_processor(SimpleSpanProcessor(th.sdk_grpc_exporter(gw.grpc_target)))
        with provider.get_tracer("itest").start_as_current_span("op"):
            pass
        provider.shutdown()
        th.wait_until(lambda: rx.span_count() >= 1, 15, "the span downstream", context=gw.logs_tail)
        resource = rx.accepted_spans()[0].resource
        assert resource["deployment.environment"] == ("string", "prod,eu"), resource
        assert resource["k8s.pod.name"] == ("string", "from-sdk"), resource  # override: false keeps the SDK's
        assert resource["host.name"] == ("string", socket.gethostname()), resource
        assert resource["os.type"] == ("string", "linux"), resource
        assert "detector not built here; skipped" in gw.logs_tail(200)
    finally:
        rx.stop()


def test_transform_statements_change_sdk_spans_and_metrics(gateways):
    rx = th.HTTPTraceReceiver().start()
    try:
        ports = Ports.allocate()
        prom_port = free_ports(1)[0]
        cfg = gateway_config(
            ports,
            processors={"transform": {
                "error_mode": "ignore",
                "trace_statements": [
                    {"context": "span", "statements": [
                        'replace_pattern(name, "/users/[0-9]+", "/users/{id}")',
                        'delete_key(attributes, "http.request.header.authorization")',
                        'set(attributes["slow"], true) where end_time_unix_nano - start_time_unix_nano > 1000000',
                    ]},
                    {"context": "resource", "statements": ['set(attributes["team"], "inference")']},
                ],
                "metric_statements": [
                    {"context": "datapoint", "statements": ['keep_keys(attributes, ["model_name"])']},
                ],
            }},
            exporters={
                "otlphttp/down": th.otlphttp_exporter(f"http://127.0.0.1:{rx.port}"),
                "prometheus": {"endpoint": f"127.0.0.1:{prom_port}"},
            },
            pipelines={
                "traces": {"receivers": ["otlp"], "processors": ["transform"], "exporters": ["otlphttp/down"]},
                "metrics": {"receivers": ["otlp"], "processors": ["transform"], "exporters": ["prometheus"]},
            },
        )
        gw = gateways.start(cfg, ports=ports)
        provider = TracerProvider(resource=Resource({"service.name": "transform-test"}))
        provider.add_span_processor(SimpleSpanProcessor(th.sdk_grpc_exporter(gw.grpc_target)))
        t0 = time.time_ns()
        span = provider.get_tracer("itest").start_span(
            "GET /users/42", start_time=t0, attributes={"http.request.header.authorization": "Bearer s3cret"})
        span.end(end_time=t0 + 5_000_000)
        provider.shutdown()
        th.wait_until(lambda: rx.span_count() >= 1, 15, "the span downstream", context=gw.logs_tail)
        record = rx.accepted_spans()[0]
        assert record.span["name"] == "GET /users/{id}", record.span["name"]
        assert "http.request.header.authorization" not in record.span["attributes"]
        assert record.span["attributes"]["slow"] == ("bool", True)
        assert record.resource["team"] == ("string", "inference")

        meter_provider = MeterProvider(
            resource=Resource({"service.name": "transform-test"}),
            metric_readers=[PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=gw.http_url("/v1/metrics")), export_interval_millis=60_000)])
        meter_provider.get_meter("itest").create_counter("itest.tokens").add(
            5, {"model_name": "tiny", "request_id": "r-1"})
        meter_provider.shutdown()

        def scrape() -> str:
            return requests.get(f"http://127.0.0.1:{prom_port}/metrics", timeout=5).text

        th.wait_until(lambda: "itest_tokens" in scrape(), 15, "the counter scraped", context=gw.logs_tail)
        lines = [line for line in scrape().splitlines() if line.startswith("itest_tokens")]
        assert lines and all('model_name="tiny"' in line and "request_id" not in line for line in lines), lines
    finally:
        rx.stop()


def test_json_logs_are_one_object_per_line(gateways):
    import json

    ports = Ports.allocate()
    cfg = gateway_config(ports)
    cfg["service"].setdefault("telemetry", {})["logs"] = {"level": "info", "encoding": "json"}
    gw = gateways.start(cfg, ports=ports)
    th.wait_until(lambda: "gateway running" in gw.stderr_text(), 10, "the running line", context=gw.logs_tail)
    lines = [line for line in gw.stderr_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    running = next(r for r in records if r["msg"] == "gateway running")
    assert running["level"] == "info" and running["logger"] == "otlp-gateway" and running["ts"].endswith("Z")
    assert "pipelines" in running
