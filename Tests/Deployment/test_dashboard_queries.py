"""Every query of every provisioned dashboard panel, run against real data: the compose stack's gateway
config (docker/collector.compose.yaml, moved onto loopback ports and sped up) remote-writes to a real
Prometheus started as the stack starts it (remote-write receiver, exemplar storage, native histograms,
docker/prometheus/alerts.yml), which scrapes the gateway's self-telemetry with the stack's scrape job.
A second gateway with the Tempo-compatible trace store stands in for Tempo. The built-in engine, the
host metrics (with the hostmetrics tests' fake NVML: two GPUs) and a little OTLP traffic from the Python
SDK (error spans among them) provide the data.

Grafana's $__rate_interval is replaced by its smallest value for the Prometheus datasource's
timeInterval (4 x 5s), template variables by their "All" value. A query that errors, returns nothing or
returns only NaN (which Grafana draws as nothing) fails the test, naming the dashboard, panel and query; so does a vector selector of a panel or an alert
rule that matches no series (which an `or vector(0)` fallback would otherwise hide), an alert rule
Prometheus cannot evaluate, and an exemplar whose trace the trace store does not hold.
"""

from __future__ import annotations

import copy
import json
import math
import time
import urllib.request
from pathlib import Path

import pytest

import deployhelpers as dh
import promhelpers
from gwhelpers import Ports, free_ports, http_post, logs_request

WAIT_FOR_DATA_S = 90

# Alert selectors for series that exist in other configurations only: an otlp/otlphttp exporter in a
# metrics or logs pipeline. The stack's config has neither, so these alternatives of the exporter alerts
# match nothing here; every other selector of every alert must match.
ALERT_SELECTORS_OF_OTHER_CONFIGS = {
    'otelcol_exporter_send_failed_metric_points_total{job="otlp-gateway"}',
    'otelcol_exporter_enqueue_failed_metric_points_total{job="otlp-gateway"}',
    'otelcol_exporter_enqueue_failed_log_records_total{job="otlp-gateway"}',
}


class StackPrometheus(promhelpers.Prometheus):
    """Prometheus with the compose stack's flags and rules, on loopback."""

    def __init__(self, binary: str, workdir: Path, *, scrape_configs: list[dict], rule_files: list[str]):
        self.rule_files = rule_files
        super().__init__(binary, workdir, scrape_configs=scrape_configs, scrape_interval="1s")

    def config(self) -> dict:
        cfg = super().config()
        cfg["global"]["evaluation_interval"] = "1s"
        cfg["rule_files"] = self.rule_files
        return cfg

    def argv(self) -> list[str]:
        stack_flags = dh.load_yaml(dh.COMPOSE)["services"]["prometheus"]["command"]
        features = next(a for a in stack_flags if a.startswith("--enable-feature="))
        assert "--web.enable-remote-write-receiver" in stack_flags
        return [a for a in super().argv() if not a.startswith("--enable-feature=")] + [features]


def _scrape_config_for(telemetry_port: int) -> dict:
    """docker/prometheus.yml's otlp-gateway job, aimed at the test gateway, every second."""
    jobs = {j["job_name"]: j for j in dh.load_yaml(dh.PROMETHEUS_YML)["scrape_configs"]}
    job = copy.deepcopy(jobs["otlp-gateway"])
    job["static_configs"] = [{"targets": [f"127.0.0.1:{telemetry_port}"]}]
    job["scrape_interval"] = "1s"
    return job


def _tempo_standin_config(ports: Ports, store_port: int) -> dict:
    return {
        "receivers": {"otlp": {"protocols": {"grpc": {"endpoint": f"127.0.0.1:{ports.grpc}"}}}},
        "exporters": {"memory": {"endpoint": f"127.0.0.1:{store_port}"}},
        "extensions": {"health_check": {"endpoint": f"127.0.0.1:{ports.health}"}},
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"metrics": {"address": f"127.0.0.1:{ports.telemetry}"}},
            "pipelines": {"traces": {"receivers": ["otlp"], "exporters": ["memory"]}},
        },
    }


def _send_traffic(gw) -> None:
    """OTLP from the Python SDK: spans of one service, a third of them errors (for the error-ratio
    panels and the span error alerts), a counter over HTTP, and a few log records."""
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.trace import SpanKind, Status, StatusCode

    resource = Resource.create({"service.name": "deployment-test", "service.instance.id": "itest-0"})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=gw.grpc_target, insecure=True)))
    tracer = tracer_provider.get_tracer("deployment-test")
    for i in range(30):
        with tracer.start_as_current_span("GET /checkout", kind=SpanKind.SERVER) as span:
            if i % 3 == 0:
                span.set_status(Status(StatusCode.ERROR, "boom"))
    assert tracer_provider.force_flush(10_000)
    tracer_provider.shutdown()

    reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=gw.http_url("/v1/metrics")),
                                           export_interval_millis=60_000)
    meter_provider = MeterProvider(metric_readers=[reader], resource=resource)
    meter_provider.get_meter("deployment-test").create_counter("checkouts").add(3)
    assert meter_provider.force_flush(10_000)
    meter_provider.shutdown()

    resp = http_post(gw.http_url("/v1/logs"), logs_request(5).SerializeToString())
    assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
def stack(request, prometheus_bin, module_gateways, fake_nvml, tmp_path_factory):
    ports = Ports.allocate()
    (pull,) = free_ports(1)
    prom = StackPrometheus(prometheus_bin, tmp_path_factory.mktemp("prometheus"),
                           scrape_configs=[_scrape_config_for(ports.telemetry)], rule_files=[str(dh.ALERTS)])
    prom.start()
    try:
        tempo_ports = Ports.allocate()
        (store,) = free_ports(1)
        module_gateways.start(_tempo_standin_config(tempo_ports, store), ports=tempo_ports)
        cfg = dh.compose_gateway_config_for_test(
            grpc=ports.grpc, http=ports.http, health=ports.health, telemetry=ports.telemetry, pull=pull,
            remote_write_url=prom.remote_write_url, tempo_grpc=tempo_ports.grpc, nvml_library=str(fake_nvml))
        gw = module_gateways.start(cfg, ports=ports)
        _send_traffic(gw)
        yield {"prom": prom, "gw": gw, "trace_store": f"http://127.0.0.1:{store}"}
        # The gateways stop (module_gateways' teardown) before Prometheus: see finally.
    finally:
        module_gateways.teardown(failed=False)
        module_gateways.started.clear()
        _, killed = prom.stop()
        if killed:
            print(prom.logs_tail())


def _datasource_time_interval() -> str:
    ds = {d["uid"]: d for d in dh.load_yaml(dh.DATASOURCES)["datasources"]}
    return ds["prometheus"]["jsonData"]["timeInterval"]


def _prometheus_queries() -> list[tuple[dh.PanelQuery, str]]:
    """(query as written, query as Grafana would send it) for every Prometheus target of every panel."""
    interval = _datasource_time_interval()
    out = []
    for name, board in dh.dashboards().items():
        variables = dh.all_values(board)
        for q in dh.panel_queries(name, board):
            if q.datasource_uid != "prometheus":
                continue
            out.append((q, dh.substitute(q.expr, variables, dh.grafana_rate_interval(interval), interval, "15m")))
    return out


def _run(prom, query: str) -> tuple[list | None, str | None]:
    try:
        return prom.query(query), None
    except promhelpers.PrometheusFailure as e:
        return None, str(e)


def _panel_failures(prom) -> list[str]:
    failures = []
    for q, query in _prometheus_queries():
        result, error = _run(prom, query)
        if error:
            failures.append(f"{q.where()}: error {error}\n    {query}")
        elif not result:
            failures.append(f"{q.where()}: no data\n    {query}")
        elif all(s.value is not None and math.isnan(s.value) for s in result):
            # Grafana draws NaN as nothing: e.g. a quantile of a histogram that did not move.
            failures.append(f"{q.where()}: only NaN\n    {query}")
    return failures


def _selector_failures(prom, named_queries: list[tuple[str, str]], allowed: set[str] = frozenset()) -> list[str]:
    failures = []
    start = time.time() - 600
    for where, query in named_queries:
        for sel in dh.vector_selectors(query):
            if sel in allowed:
                continue
            try:
                found = prom.series(sel, start=start)
            except promhelpers.PrometheusFailure as e:
                failures.append(f"{where}: selector {sel}: {e}")
                continue
            if not found:
                failures.append(f"{where}: selector {sel} matches no series")
    return failures


def _wait_for_all(prom, gw) -> list[str]:
    deadline = time.monotonic() + WAIT_FOR_DATA_S
    while True:
        failures = _panel_failures(prom)
        if not failures or time.monotonic() > deadline:
            return failures
        if not gw.alive():
            pytest.fail(f"the gateway exited\n{gw.logs_tail()}")
        time.sleep(2)


def test_every_dashboard_query_returns_data(stack):
    queries = _prometheus_queries()
    assert len(queries) >= 60, f"only {len(queries)} Prometheus queries found in the dashboards"
    failures = _wait_for_all(stack["prom"], stack["gw"])
    assert not failures, (f"{len(failures)} of {len(queries)} dashboard queries failed after "
                          f"{WAIT_FOR_DATA_S}s:\n" + "\n".join(failures)
                          + "\n" + stack["prom"].logs_tail() + "\n" + stack["gw"].logs_tail())


def test_every_selector_of_panels_and_alerts_matches_series(stack):
    _wait_for_all(stack["prom"], stack["gw"])
    named = [(q.where(), query) for q, query in _prometheus_queries()]
    failures = _selector_failures(stack["prom"], named)
    alerts = [(f"alert {r['alert']}", r["expr"]) for r in dh.alert_rules()]
    all_alert_selectors = {sel for _, expr in alerts for sel in dh.vector_selectors(expr)}
    assert ALERT_SELECTORS_OF_OTHER_CONFIGS <= all_alert_selectors, "stale allow-list"
    failures += _selector_failures(stack["prom"], alerts, ALERT_SELECTORS_OF_OTHER_CONFIGS)
    assert not failures, "\n".join(failures)


def test_template_variables_have_values(stack):
    _wait_for_all(stack["prom"], stack["gw"])
    import re

    problems = []
    for name, board in dh.dashboards().items():
        for var in board.get("templating", {}).get("list", []):
            m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", var["definition"])
            assert m, f"{name}: variable {var['name']}: unexpected definition {var['definition']!r}"
            series = stack["prom"].series(m.group(1), start=time.time() - 600)
            values = {s.get(m.group(2)) for s in series} - {None}
            if not values:
                problems.append(f"{name}: variable {var['name']} ({var['definition']}) has no values")
    assert not problems, problems


def test_alert_rules_evaluate_without_errors(stack):
    prom = stack["prom"]
    n_rules = len(dh.alert_rules())
    deadline = time.monotonic() + 30
    while True:
        rules = [r for g in prom.api("/api/v1/rules")["groups"] for r in g["rules"]]
        if len(rules) == n_rules and all(r["health"] != "unknown" for r in rules):
            break
        assert time.monotonic() < deadline, f"rules not evaluated: {[(r['name'], r['health']) for r in rules]}"
        time.sleep(0.5)
    bad = [(r["name"], r["health"], r.get("lastError")) for r in rules if r["health"] != "ok"]
    assert not bad, bad


def test_exemplars_carry_trace_ids_that_the_trace_backend_holds(stack):
    """The Prometheus datasource's exemplarTraceIdDestinations name the label the gateway's remote write
    puts on span-metric exemplars, and those trace ids are traces the gateway forwarded."""
    prom = stack["prom"]
    ds = {d["uid"]: d for d in dh.load_yaml(dh.DATASOURCES)["datasources"]}
    label = ds["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["name"]
    deadline = time.monotonic() + 30
    trace_ids: list[str] = []
    while not trace_ids:
        now = time.time()
        data = prom.api("/api/v1/query_exemplars", query="traces_spanmetrics_latency_bucket",
                        start=f"{now - 600:.3f}", end=f"{now:.3f}")
        trace_ids = [e["labels"].get(label) for s in data for e in s["exemplars"] if e["labels"].get(label)]
        assert trace_ids or time.monotonic() < deadline, f"no exemplar with label {label}: {json.dumps(data)[:500]}"
        time.sleep(0.5)
    assert all(len(t) == 32 and int(t, 16) for t in trace_ids[:20]), trace_ids[:5]

    def found(trace_id: str) -> bool:
        try:
            with urllib.request.urlopen(f"{stack['trace_store']}/api/traces/{trace_id}", timeout=5) as resp:
                return resp.status == 200
        except OSError:
            return False

    deadline = time.monotonic() + 20
    while not any(found(t) for t in trace_ids[-10:]):
        assert time.monotonic() < deadline, f"none of the exemplar traces {trace_ids[-10:]} reached the trace backend"
        time.sleep(0.5)
