"""A Collector user's config for the components of the scrape-and-shape work, written the way the Collector's
component READMEs show them (the addresses, and a few keys kept by `keep_keys`, are this test's), runs unchanged: it validates, starts, scrapes,
shapes and forwards."""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import tracehelpers as th
from gwhelpers import Ports, free_ports

CONFIG = """\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{grpc}
      http:
        endpoint: 127.0.0.1:{http}
  prometheus:
    config:
      scrape_configs:
        - job_name: 'otel-collector'
          scrape_interval: 1s
          static_configs:
            - targets: ['127.0.0.1:{target}']
          metric_relabel_configs:
            - source_labels: [__name__]
              regex: 'vllm:.*'
              action: keep

processors:
  batch:
  memory_limiter:
    check_interval: 1s
    limit_mib: 4000
    spike_limit_mib: 800
  resourcedetection/system:
    detectors: ["env", "system"]
    system:
      hostname_sources: ["os"]
  resource:
    attributes:
    - key: cloud.availability_zone
      value: "zone-1"
      action: upsert
    - key: k8s.cluster.name
      from_attribute: k8s-cluster
      action: insert
    - key: redundant-attribute
      action: delete
  attributes/example:
    actions:
      - key: db.table
        action: delete
      - key: redacted_span
        value: true
        action: upsert
      - key: account_email
        action: hash
      - key: http.status_code
        action: convert
        converted_type: int
  filter/ottl:
    error_mode: ignore
    traces:
      span:
        - 'attributes["container.name"] == "app_container_1"'
        - 'resource.attributes["host.name"] == "localhost"'
        - 'name == "app_3"'
      spanevent:
        - 'attributes["grpc"] == true'
        - 'IsMatch(name, ".*grpc.*")'
    metrics:
      metric:
          - 'name == "my.metric" and resource.attributes["my_label"] == "abc123"'
          - 'type == METRIC_DATA_TYPE_HISTOGRAM'
      datapoint:
          - 'metric.type == METRIC_DATA_TYPE_SUMMARY'
          - 'resource.attributes["service.name"] == "my_service_name"'
  transform:
    error_mode: ignore
    trace_statements:
      - context: resource
        statements:
          - keep_keys(attributes, ["service.name", "service.namespace", "cloud.region", "process.command_line", "cloud.availability_zone", "host.name", "os.type"])
          - replace_pattern(attributes["process.command_line"], "password\\\\=[^\\\\s]*(\\\\s?)", "password=***")
          - limit(attributes, 100, [])
          - truncate_all(attributes, 4096)
      - context: span
        statements:
          - set(status.code, 1) where attributes["http.path"] == "/health"
          - set(name, attributes["http.route"])
          - replace_pattern(attributes["http.target"], "/user/\\\\d{{4}}", "/user/{{userId}}")
          - limit(attributes, 100, [])
          - truncate_all(attributes, 4096)

exporters:
  otlphttp:
    endpoint: http://127.0.0.1:{down}
    compression: zstd
  prometheus:
    endpoint: 127.0.0.1:{prom}

extensions:
  health_check:
    endpoint: 127.0.0.1:{health}
  pprof:
    endpoint: localhost:1777

service:
  extensions: [health_check, pprof]
  telemetry:
    metrics:
      address: 127.0.0.1:{telemetry}
    logs:
      level: info
      encoding: json
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, resourcedetection/system, resource, attributes/example, filter/ottl, transform, batch]
      exporters: [otlphttp]
    metrics:
      receivers: [otlp, prometheus]
      processors: [memory_limiter, resourcedetection/system, batch]
      exporters: [prometheus]
"""


def test_a_collector_docs_config_runs_unchanged(gateways, gateway_bin, tmp_path):
    import requests

    body = b'# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name="m"} 2\nother_metric 1\n'

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    target = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    rx = th.HTTPTraceReceiver().start()
    try:
        ports = Ports.allocate()
        prom_port = free_ports(1)[0]
        text = CONFIG.format(grpc=ports.grpc, http=ports.http, target=target.server_address[1], down=rx.port,
                             prom=prom_port, health=ports.health, telemetry=ports.telemetry)
        path = tmp_path / "collector.yaml"
        path.write_text(text)
        done = subprocess.run([gateway_bin, "validate", "--config", str(path)], capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stdout + done.stderr

        import yaml

        gw = gateways.start(yaml.safe_load(text), ports=ports)
        provider = TracerProvider(resource=Resource({"service.name": "docs", "redundant-attribute": "x"}))
        provider.add_span_processor(SimpleSpanProcessor(th.sdk_grpc_exporter(gw.grpc_target)))
        tracer = provider.get_tracer("itest")
        with tracer.start_as_current_span("raw name", attributes={
                "http.route": "/users/{id}", "account_email": "a@b.c", "http.status_code": "200", "db.table": "t"}):
            pass
        with tracer.start_as_current_span("app_3"):
            pass
        provider.shutdown()
        th.wait_until(lambda: rx.span_count() >= 1, 15, "a span downstream", context=gw.logs_tail)
        spans = rx.accepted_spans()
        assert [r.span["name"] for r in spans] == ["/users/{id}"], [r.span["name"] for r in spans]
        record = spans[0]
        attrs = record.span["attributes"]
        assert attrs["http.status_code"] == ("int", 200) and "db.table" not in attrs
        assert attrs["redacted_span"] == ("bool", True) and attrs["account_email"][1] != "a@b.c"
        assert record.resource["cloud.availability_zone"] == ("string", "zone-1")
        assert "redundant-attribute" not in record.resource and record.resource["os.type"] == ("string", "linux")
        assert rx.snapshot()[0].headers.get("content-encoding") == "zstd"

        def scraped() -> str:
            return requests.get(f"http://127.0.0.1:{prom_port}/metrics", timeout=5).text

        th.wait_until(lambda: "vllm:num_requests_running" in scraped(), 15, "the scraped gauge", context=gw.logs_tail)
        assert "other_metric" not in scraped()
    finally:
        rx.stop()
        target.shutdown()
