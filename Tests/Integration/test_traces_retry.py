"""The `otlp` (gRPC) and `otlphttp` trace exporters against Python receivers that answer what the
test scripts: the OTLP specification's retry rules (retryable codes, RESOURCE_EXHAUSTED only with
RetryInfo, whose delay is honoured; HTTP 429/502/503/504 with Retry-After), permanent failures (one
attempt, counted as failed, logged with the server's message) and partial_success (counted as
refused). Spans that are retried must still arrive exactly once."""

from __future__ import annotations

import time

import grpc
import pytest

import tracehelpers as th
from gwhelpers import Ports

N = 10


def request(seed: int = 1):
    t0 = time.time_ns() - 10_000_000_000
    spans = [th.RawSpan(f"op-{i}", i + 1, t0 + i * 1000, t0 + i * 1000 + 500, parent_id=1 if i else 0,
                        attrs={"i": i}) for i in range(N)]
    return th.raw_trace_request([th.RawTrace(0xC0FFEE00 + seed, "itest-retry", spans)])


@pytest.fixture
def grpc_receivers():
    started = []

    def start(script):
        rx = th.GRPCTraceReceiver(script).start()
        started.append(rx)
        return rx

    yield start
    for rx in started:
        rx.stop()


@pytest.fixture
def http_receivers():
    started = []

    def start(script):
        rx = th.HTTPTraceReceiver(script).start()
        started.append(rx)
        return rx

    yield start
    for rx in started:
        rx.stop()


def start_gateway(gateways, name: str, exporter: dict):
    ports = Ports.allocate()
    return gateways.start(th.traces_gateway_config(ports, {name: exporter}), ports=ports)


def send(gw, grpc_channel_factory, req) -> None:
    resp = th.send_traces_grpc(grpc_channel_factory(gw.grpc_target), req)
    assert not resp.HasField("partial_success"), resp


def expected_of(req) -> dict:
    return th.by_key(th.span_records(req))


def gateway_log(gw) -> str:
    return gw.stdout_text() + gw.stderr_text()


# --------------------------------------------------------------------------------------------
# gRPC


def test_grpc_ok_delivers_once_with_headers(gateways, grpc_receivers, grpc_channel_factory):
    rx = grpc_receivers([th.GRPCAnswer("OK")])
    gw = start_gateway(gateways, "otlp/b", th.otlp_exporter(rx.target))
    req = request()
    send(gw, grpc_channel_factory, req)
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N, exporter="otlp/b") == N
    assert rx.attempts() == 1
    assert th.compare_spans(rx.accepted_spans(), expected_of(req), "grpc receiver") == []
    call = rx.snapshot()[0]
    assert call.metadata.get("x-scope-orgid") == "t1", call.metadata
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") == 0
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0


def test_grpc_unavailable_twice_then_ok_retries_twice(gateways, grpc_receivers, grpc_channel_factory):
    rx = grpc_receivers([th.GRPCAnswer("UNAVAILABLE", "warming up"), th.GRPCAnswer("UNAVAILABLE", "warming up"),
                         th.GRPCAnswer("OK")])
    gw = start_gateway(gateways, "otlp/b", th.otlp_exporter(rx.target))
    req = request()
    send(gw, grpc_channel_factory, req)
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N, exporter="otlp/b") == N
    time.sleep(0.5)  # a wrong extra retry would land here
    assert rx.attempts() == 3, [c.answer.code for c in rx.snapshot()]
    assert all(c.request == req for c in rx.snapshot()), "every attempt must carry the same data"
    assert th.compare_spans(rx.accepted_spans(), expected_of(req), "grpc receiver") == []
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") == 2
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0
    assert gw.counter("otelcol_exporter_sent_spans_total", exporter="otlp/b") == N


def test_grpc_resource_exhausted_with_retry_info_waits(gateways, grpc_receivers, grpc_channel_factory):
    rx = grpc_receivers([th.GRPCAnswer("RESOURCE_EXHAUSTED", "rate limited", retry_delay=2.0), th.GRPCAnswer("OK")])
    # initial_interval 100ms: only the server's RetryInfo can make the gateway wait ~2 s.
    gw = start_gateway(gateways, "otlp/b", th.otlp_exporter(rx.target))
    req = request()
    send(gw, grpc_channel_factory, req)
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N, timeout=10, exporter="otlp/b") == N
    calls = rx.snapshot()
    assert len(calls) == 2, [c.answer.code for c in calls]
    gap = calls[1].time - calls[0].time
    assert gap >= 1.8, f"second attempt {gap:.3f}s after the first; RetryInfo said 2s"
    assert th.compare_spans(rx.accepted_spans(), expected_of(req), "grpc receiver") == []
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") == 1
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0


def test_grpc_resource_exhausted_without_retry_info_is_permanent(gateways, grpc_receivers, grpc_channel_factory):
    rx = grpc_receivers([th.GRPCAnswer("RESOURCE_EXHAUSTED", "quota exceeded for tenant t1"), th.GRPCAnswer("OK")])
    gw = start_gateway(gateways, "otlp/b", th.otlp_exporter(rx.target))
    send(gw, grpc_channel_factory, request())
    assert gw.settle_counter("otelcol_exporter_send_failed_spans_total", N, exporter="otlp/b") == N
    time.sleep(1.0)
    assert rx.attempts() == 1
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") == 0
    assert gw.counter("otelcol_exporter_sent_spans_total", exporter="otlp/b") == 0


def test_grpc_invalid_argument_is_permanent(gateways, grpc_receivers, grpc_channel_factory):
    msg = "span 7 has an invalid trace id (itest-marker-31337)"
    rx = grpc_receivers([th.GRPCAnswer("INVALID_ARGUMENT", msg)])
    gw = start_gateway(gateways, "otlp/b", th.otlp_exporter(rx.target))
    send(gw, grpc_channel_factory, request())
    th.wait_until(lambda: rx.attempts() >= 1, 5, "the first attempt", gw.logs_tail)
    time.sleep(1.0)  # a retry (100ms initial interval) would have happened by now
    assert rx.attempts() == 1
    assert gw.settle_counter("otelcol_exporter_send_failed_spans_total", N, exporter="otlp/b") == N
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") == 0
    assert gw.counter("otelcol_exporter_sent_spans_total", exporter="otlp/b") == 0
    gw.wait_for(lambda: "itest-marker-31337" in gateway_log(gw), 3, "the server's message in the gateway log")


def test_grpc_partial_success_counts_refused(gateways, grpc_receivers, grpc_channel_factory):
    rx = grpc_receivers([th.GRPCAnswer("OK", "2 spans too old", rejected=2)])
    gw = start_gateway(gateways, "otlp/b", th.otlp_exporter(rx.target))
    send(gw, grpc_channel_factory, request())
    assert gw.settle_counter("otlp_gateway_exporter_refused_spans_total", 2, exporter="otlp/b") == 2
    time.sleep(0.5)
    assert rx.attempts() == 1, "a partial success is not retried"
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlp/b") == 0


# --------------------------------------------------------------------------------------------
# OTLP/HTTP


def test_http_503_twice_then_ok_retries_twice(gateways, http_receivers, grpc_channel_factory):
    rx = http_receivers([th.HTTPAnswer(503, error_message="busy"), th.HTTPAnswer(502), th.HTTPAnswer(200)])
    gw = start_gateway(gateways, "otlphttp/c", th.otlphttp_exporter(rx.endpoint))
    req = request()
    send(gw, grpc_channel_factory, req)
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N, exporter="otlphttp/c") == N
    time.sleep(0.5)
    assert [r.answer.status for r in rx.snapshot()] == [503, 502, 200]
    assert th.compare_spans(rx.accepted_spans(), expected_of(req), "http receiver") == []
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlphttp/c") == 2
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlphttp/c") == 0


def test_http_429_retry_after_is_honoured(gateways, http_receivers, grpc_channel_factory):
    rx = http_receivers([th.HTTPAnswer(429, error_message="slow down", retry_after="2"), th.HTTPAnswer(200)])
    gw = start_gateway(gateways, "otlphttp/c", th.otlphttp_exporter(rx.endpoint))
    req = request()
    send(gw, grpc_channel_factory, req)
    assert gw.settle_counter("otelcol_exporter_sent_spans_total", N, exporter="otlphttp/c") == N
    reqs = rx.snapshot()
    assert [r.answer.status for r in reqs] == [429, 200]
    gap = reqs[1].time - reqs[0].time
    assert gap >= 1.8, f"second attempt {gap:.3f}s after the first; Retry-After said 2"
    assert th.compare_spans(rx.accepted_spans(), expected_of(req), "http receiver") == []
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlphttp/c") == 1


def test_http_400_is_permanent(gateways, http_receivers, grpc_channel_factory):
    rx = http_receivers([th.HTTPAnswer(400, error_message="bad payload itest-marker-4242")])
    gw = start_gateway(gateways, "otlphttp/c", th.otlphttp_exporter(rx.endpoint))
    send(gw, grpc_channel_factory, request())
    assert gw.settle_counter("otelcol_exporter_send_failed_spans_total", N, exporter="otlphttp/c") == N
    time.sleep(1.0)
    assert len(rx.snapshot()) == 1
    assert gw.counter("otlp_gateway_exporter_retries_total", exporter="otlphttp/c") == 0
    assert gw.counter("otelcol_exporter_sent_spans_total", exporter="otlphttp/c") == 0
    gw.wait_for(lambda: "itest-marker-4242" in gateway_log(gw), 3, "the server's message in the gateway log")


def test_http_partial_success_counts_refused(gateways, http_receivers, grpc_channel_factory):
    rx = http_receivers([th.HTTPAnswer(200, rejected=3, error_message="3 spans dropped")])
    gw = start_gateway(gateways, "otlphttp/c", th.otlphttp_exporter(rx.endpoint))
    send(gw, grpc_channel_factory, request())
    assert gw.settle_counter("otlp_gateway_exporter_refused_spans_total", 3, exporter="otlphttp/c") == 3
    time.sleep(0.3)
    assert len(rx.snapshot()) == 1
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlphttp/c") == 0


# --------------------------------------------------------------------------------------------
# A full sending queue


def test_full_sending_queue_refuses_new_data(gateways, grpc_receivers, grpc_channel_factory):
    """num_consumers 1, queue_size 1, a backend that takes 3 s to answer, no batch processor: the
    first request is being sent, the second waits in the queue, the third (gRPC) and fourth (HTTP)
    are refused by the receiver (UNAVAILABLE / 503) and counted as enqueue failures; the two
    accepted requests arrive once each."""
    from gwhelpers import http_post

    rx = grpc_receivers([th.GRPCAnswer("OK", delay=3.0)])
    exporter = th.otlp_exporter(rx.target, sending_queue={"enabled": True, "num_consumers": 1, "queue_size": 1})
    ports = Ports.allocate()
    gw = gateways.start(th.traces_gateway_config(ports, {"otlp/b": exporter}, batch=False), ports=ports)
    ch = grpc_channel_factory(gw.grpc_target)
    reqs = [request(seed) for seed in range(1, 5)]

    send(gw, grpc_channel_factory, reqs[0])
    th.wait_until(lambda: rx.attempts() == 1, 5, "the first request at the backend", gw.logs_tail)
    send(gw, grpc_channel_factory, reqs[1])
    assert gw.counter("otelcol_exporter_queue_size", exporter="otlp/b") == 1
    with pytest.raises(grpc.RpcError) as ei:
        th.send_traces_grpc(ch, reqs[2])
    assert ei.value.code() == grpc.StatusCode.UNAVAILABLE, ei.value
    resp = http_post(gw.http_url("/v1/traces"), reqs[3].SerializeToString())
    assert resp.status_code == 503, (resp.status_code, resp.content[:200])
    assert gw.counter("otelcol_exporter_enqueue_failed_spans_total", exporter="otlp/b") == 2 * N

    assert gw.settle_counter("otelcol_exporter_sent_spans_total", 2 * N, timeout=10, exporter="otlp/b") == 2 * N
    expected = {**expected_of(reqs[0]), **expected_of(reqs[1])}
    assert th.compare_spans(rx.accepted_spans(), expected, "grpc receiver") == []
    assert rx.attempts() == 2
    assert gw.counter("otelcol_exporter_queue_size", exporter="otlp/b") == 0
    assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter="otlp/b") == 0
