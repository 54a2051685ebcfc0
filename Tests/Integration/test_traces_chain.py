"""Traces through a chain of gateways: the Python SDK (OTLP gRPC) -> gateway A -> its `otlp` exporter
-> gateway B (otlp receiver -> memory exporter + debug), and A's `otlphttp` exporter -> a Python
OTLP/HTTP receiver. Every span must arrive exactly once at both ends with every field unchanged
(ids, parent, name, kind, times, typed attributes, events, links, status, flags, trace state,
dropped counts, resource, scope).

Also: A's downstream is down when the spans arrive, comes up ~2 s later, and gets every span once."""

from __future__ import annotations

import time

import pytest
from opentelemetry.sdk.trace.export import SpanExportResult

import tracehelpers as th
from gwhelpers import Ports, free_ports


@pytest.fixture
def http_receiver():
    rx = th.HTTPTraceReceiver().start()
    yield rx
    rx.stop()


def start_store_gateway(gateways, grpc_port: int | None = None):
    sp = th.StorePorts.allocate(grpc_port=grpc_port)
    gw = gateways.start(th.store_gateway_config(sp), ports=sp.base)
    store = th.TraceStore(sp.api)
    store.wait_ready(gw)
    return gw, store


def store_problems(store: th.TraceStore, w: th.Workload, where: str) -> list[str]:
    """Every trace of the workload looked up by id in the store, compared span by span."""
    problems = []
    for tid in w.trace_ids:
        recs = store.trace_records(tid)
        if recs is None:
            problems.append(f"{where}: GET /api/traces/{tid} answered 404")
            continue
        problems += th.compare_spans(recs, w.expected_in_trace(tid), f"{where} trace {tid}")
    return problems


def context(*gws):
    return lambda: "\n".join(g.logs_tail() for g in gws)


CHAIN_VARIANTS = [
    pytest.param("gzip", "proto", id="gzip-proto"),
    pytest.param("none", "json", id="none-json"),
]


@pytest.mark.parametrize("compression,encoding", CHAIN_VARIANTS)
def test_sdk_spans_through_chain_arrive_once_unchanged(gateways, http_receiver, compression, encoding):
    gw_b, store = start_store_gateway(gateways)
    exporters = {
        "otlp/b": th.otlp_exporter(gw_b.grpc_target, compression=compression),
        "otlphttp/c": th.otlphttp_exporter(http_receiver.endpoint, compression=compression, encoding=encoding),
    }
    ports = Ports.allocate()
    gw_a = gateways.start(th.traces_gateway_config(ports, exporters), ports=ports)

    w = th.emit_workload(th.sdk_grpc_exporter(gw_a.grpc_target, gzip_=True))
    n = len(w.expected)
    assert n == 30
    assert w.recorder.results and all(r == SpanExportResult.SUCCESS for r in w.recorder.results), w.recorder.results

    # Wait for both ends, then for the counters to settle (late duplicates would show up).
    assert gw_a.settle_counter("otelcol_receiver_accepted_spans_total", n, receiver="otlp") == n
    assert gw_b.settle_counter("otelcol_receiver_accepted_spans_total", n, receiver="otlp") == n
    th.wait_until(lambda: http_receiver.span_count() >= n, 10, "spans at the Python OTLP/HTTP receiver",
                  context(gw_a))
    assert gw_a.settle_counter("otelcol_exporter_sent_spans_total", n, exporter="otlp/b") == n
    assert gw_a.settle_counter("otelcol_exporter_sent_spans_total", n, exporter="otlphttp/c") == n
    for exp in ("otlp/b", "otlphttp/c"):
        assert gw_a.counter("otelcol_exporter_send_failed_spans_total", exporter=exp) == 0, exp
        assert gw_a.counter("otelcol_exporter_enqueue_failed_spans_total", exporter=exp) == 0, exp
        assert gw_a.counter("otlp_gateway_exporter_retries_total", exporter=exp) == 0, exp
    assert gw_b.settle_debug("traces", "spans", n) == n
    assert gw_b.settle_counter("otelcol_exporter_sent_spans_total", n, exporter="memory") == n

    # B's trace store: every trace by id, every span once, every field as the SDK exported it.
    problems = store_problems(store, w, "gateway B memory API")
    # The Python receiver: the same, from the protobuf (or JSON) requests it decoded.
    problems += th.compare_spans(http_receiver.accepted_spans(), w.expected, "python OTLP/HTTP receiver")
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)

    # What the otlphttp exporter put on the wire.
    reqs = http_receiver.snapshot()
    assert reqs and all(r.error is None for r in reqs), [r.error for r in reqs]
    assert {r.path for r in reqs} == {"/v1/traces"}
    assert {r.method for r in reqs} == {"POST"}
    want_type = "application/json" if encoding == "json" else "application/x-protobuf"
    assert {r.headers.get("content-type", "").split(";")[0].strip() for r in reqs} == {want_type}
    assert {r.headers.get("content-encoding") for r in reqs} == ({"gzip"} if compression == "gzip" else {None})
    assert {r.headers.get("x-scope-orgid") for r in reqs} == {"t1"}
    assert all(r.answer.status == 200 for r in reqs)


def test_downstream_down_then_up_gets_every_span_once(gateways):
    port_b = free_ports(1)[0]  # nothing listens here until gateway B starts
    exporters = {"otlp/b": th.otlp_exporter(
        f"127.0.0.1:{port_b}",
        retry_on_failure={"enabled": True, "initial_interval": "200ms", "max_interval": "1s", "max_elapsed_time": "60s"},
    )}
    ports = Ports.allocate()
    gw_a = gateways.start(th.traces_gateway_config(ports, exporters), ports=ports)

    sent_at = time.monotonic()
    w = th.emit_workload(th.sdk_grpc_exporter(gw_a.grpc_target))
    n = len(w.expected)
    assert all(r == SpanExportResult.SUCCESS for r in w.recorder.results), w.recorder.results
    assert gw_a.settle_counter("otelcol_receiver_accepted_spans_total", n, receiver="otlp") == n

    # The exporter keeps retrying while B is down.
    gw_a.wait_for(lambda: gw_a.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") >= 1, 5,
                  "a first retry")
    time.sleep(max(0.0, 2.0 - (time.monotonic() - sent_at)))
    retries_while_down = gw_a.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b")
    assert retries_while_down >= 2, retries_while_down
    assert gw_a.counter("otelcol_exporter_sent_spans_total", exporter="otlp/b") == 0
    assert gw_a.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0

    gw_b, store = start_store_gateway(gateways, grpc_port=port_b)
    assert gw_b.settle_counter("otelcol_receiver_accepted_spans_total", n, timeout=15, receiver="otlp") == n
    assert gw_a.settle_counter("otelcol_exporter_sent_spans_total", n, exporter="otlp/b") == n
    assert gw_a.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0
    assert gw_b.settle_counter("otelcol_exporter_sent_spans_total", n, exporter="memory") == n
    problems = store_problems(store, w, "gateway B memory API")
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
