"""The spanmetrics connector in a real Prometheus: SDK spans of known services, names, kinds, statuses
and durations (explicit start/end times) -> gateway traces pipeline -> spanmetrics -> metrics pipeline
-> prometheusremotewrite -> Prometheus. traces_spanmetrics_calls_total per series, and the latency
histogram's _bucket (per le, cumulative, seconds), _count and _sum must be exactly what the spans
imply, and stay so across further flushes (cumulative, not re-added)."""

from __future__ import annotations

import math
import time

from opentelemetry.sdk.trace.export import SpanExportResult

import tracehelpers as th
from gwhelpers import Ports
from promhelpers import Checks, cumulative_buckets, eventually, remote_write_rejections

BUCKETS = ["2ms", "4ms", "6ms", "8ms", "10ms", "50ms", "100ms", "200ms", "400ms", "800ms", "1s", "1400ms", "2s",
           "5s", "10s", "15s"]
BOUNDS = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.4, 2.0, 5.0, 10.0, 15.0]

SVC_A, SVC_B = "itest-spanmetrics", "itest-spanmetrics-b"

# (service, span name, SDK kind, status, http.method attribute or None) -> durations in ms.
# None: no attribute, so the dimension's default (GET) applies. No duration sits on a bucket bound.
WORKLOAD = {
    (SVC_A, "GET /users", "SERVER", "UNSET", "GET"): [1, 3, 5, 7, 9, 30, 70, 150, 300, 600],
    (SVC_A, "GET /users", "SERVER", "ERROR", "GET"): [900, 1200, 1700],
    (SVC_A, "query users", "CLIENT", "OK", None): [3, 3.5, 45, 2500],
    (SVC_A, "POST /orders", "SERVER", "UNSET", "POST"): [7000, 12000, 20000],
    (SVC_A, "publish", "PRODUCER", "UNSET", None): [0.5],
    (SVC_B, "GET /users", "SERVER", "UNSET", "GET"): [150, 151],
}
STATUS_LABEL = {"UNSET": "STATUS_CODE_UNSET", "OK": "STATUS_CODE_OK", "ERROR": "STATUS_CODE_ERROR"}
N_SPANS = sum(len(v) for v in WORKLOAD.values())


def series_key(service, name, kind, status, method):
    return (service, name, f"SPAN_KIND_{kind}", STATUS_LABEL[status], method or "GET")


def expected_durations() -> dict[tuple, list[float]]:
    """Durations in seconds per Prometheus series key, as the connector should see them."""
    out: dict[tuple, list[float]] = {}
    for (svc, name, kind, status, method), ms in WORKLOAD.items():
        out.setdefault(series_key(svc, name, kind, status, method), []).extend(int(round(m * 1_000_000)) / 1e9 for m in ms)
    return out


def emit_spans(target: str) -> int:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.trace import SpanKind, Status, StatusCode

    from sdkutil import RecordingSpanExporter

    t0 = time.time_ns() - 120 * 1_000_000_000
    total = 0
    for svc in (SVC_A, SVC_B):
        rec = RecordingSpanExporter(th.sdk_grpc_exporter(target))
        provider = TracerProvider(resource=Resource.create({"service.name": svc}))
        provider.add_span_processor(BatchSpanProcessor(rec, schedule_delay_millis=60_000, max_export_batch_size=512))
        tracer = provider.get_tracer("itest.spanmetrics")
        for (s, name, kind, status, method), durations in WORKLOAD.items():
            if s != svc:
                continue
            for i, ms in enumerate(durations):
                start = t0 + i * 1_000_000_000
                span = tracer.start_span(name, kind=getattr(SpanKind, kind), start_time=start,
                                         attributes={"http.method": method} if method else {"other": "x"})
                if status != "UNSET":
                    span.set_status(Status(getattr(StatusCode, status), "boom" if status == "ERROR" else None))
                span.end(end_time=start + int(round(ms * 1_000_000)))
        assert provider.force_flush(10_000)
        provider.shutdown()
        assert rec.results and all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
        total += rec.exported
    return total


LABELS = ("service", "span_name", "span_kind", "status_code", "http_method")


def key_of(sample) -> tuple:
    return tuple(sample.labels.get(k) for k in LABELS)


def check_all(c: Checks, prom, sel: str) -> None:
    exp = expected_durations()
    calls: dict[tuple, float] = {}
    for s in prom.query(f"traces_spanmetrics_calls_total{{{sel}}}"):
        c.true(key_of(s) not in calls, f"two calls series for {key_of(s)}: {s.labels}")
        calls[key_of(s)] = s.value
    c.eq(calls, {k: float(len(v)) for k, v in exp.items()}, "traces_spanmetrics_calls_total by series")

    buckets: dict[tuple, dict[str, float]] = {}
    for s in prom.query(f"traces_spanmetrics_latency_bucket{{{sel}}}"):
        per = buckets.setdefault(key_of(s), {})
        le = s.labels.get("le", "<none>")
        c.true(le not in per, f"two buckets le={le} for {key_of(s)}")
        per[le] = s.value
    c.eq(buckets, {k: cumulative_buckets(BOUNDS, v) for k, v in exp.items()}, "traces_spanmetrics_latency_bucket")

    counts = {key_of(s): s.value for s in prom.query(f"traces_spanmetrics_latency_count{{{sel}}}")}
    c.eq(counts, {k: float(len(v)) for k, v in exp.items()}, "traces_spanmetrics_latency_count")
    sums = {key_of(s): s.value for s in prom.query(f"traces_spanmetrics_latency_sum{{{sel}}}")}
    c.eq(set(sums), set(exp), "traces_spanmetrics_latency_sum series")
    for k, v in exp.items():
        if k in sums:
            c.true(math.isclose(sums[k], sum(v), rel_tol=1e-9, abs_tol=1e-12),
                   f"traces_spanmetrics_latency_sum{k}: got {sums[k]!r}, expected {sum(v)!r}")


def test_spanmetrics_in_prometheus_exactly(prometheus, gateways):
    ports = Ports.allocate()
    prw = {
        "endpoint": prometheus.remote_write_url,
        "interval": "1s",
        "send_native_histograms": True,
        "retry_on_failure": {"initial_interval": "100ms", "max_interval": "1s", "max_elapsed_time": "2m"},
    }
    connectors = {"spanmetrics": {
        "histogram": {"explicit": {"buckets": BUCKETS}},
        "dimensions": [{"name": "http.method", "default": "GET"}],
        "metrics_flush_interval": "1s",
        "exemplars": {"enabled": False},
    }}
    cfg = th.traces_gateway_config(
        ports, {}, connectors=connectors, extra_exporters={"prometheusremotewrite": prw},
        extra_pipelines={"metrics/spanmetrics": {"receivers": ["spanmetrics"], "exporters": ["prometheusremotewrite"]}})
    gw = gateways.start(cfg, ports=ports)

    assert emit_spans(gw.grpc_target) == N_SPANS
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", N_SPANS, receiver="otlp") == N_SPANS
    context = lambda: prometheus.logs_tail() + "\n" + gw.logs_tail()  # noqa: E731
    sel = 'service=~"itest-spanmetrics.*"'
    eventually(lambda c: check_all(c, prometheus, sel), 20, context)

    # The exact label names of one series: the four standard ones, the dimension, le on buckets.
    s = prometheus.query(f'traces_spanmetrics_calls_total{{service="{SVC_A}",span_name="publish"}}')
    assert len(s) == 1, s
    assert {"service", "span_name", "span_kind", "status_code", "http_method"} <= set(s[0].labels), s[0].labels
    assert s[0].labels["http_method"] == "GET"  # the dimension's default

    # Two more flush intervals: the cumulative values must not move.
    time.sleep(2.5)
    c = Checks(context)
    check_all(c, prometheus, sel)
    c.done()
    assert all(v == 0 for v in remote_write_rejections(prometheus).values()), remote_write_rejections(prometheus)
