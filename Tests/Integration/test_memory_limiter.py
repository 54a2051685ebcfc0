"""The memory_limiter with the real OpenTelemetry Python SDK: a gateway whose limit is below its own RSS
refuses exports before decoding them (UNAVAILABLE / 503 with a retry hint, which the SDK retries), counts the
refusals and stays up; a gateway with a reasonable limit accepts the same data. A large body sent while
refusing is answered 503 at once and never kept: the gateway's RSS does not grow by its size."""

from __future__ import annotations

import os
import time

import pytest
import requests
from google.rpc import status_pb2
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from test_sdk_traces import make_span_exporter


def short_exporter(gw, transport: str):
    """The SDK's exporter with a 3s deadline: it retries refused exports (honouring the retry hint) until then."""
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=gw.grpc_target, insecure=True, timeout=3)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=gw.http_url("/v1/traces"), timeout=3)

N_SPANS = 12


def limiter_config(limit_mib: int) -> dict:
    # Collector-shaped: memory_limiter first, then batch (gateway_config lists processors in this order).
    return {
        "memory_limiter": {"check_interval": "100ms", "limit_mib": limit_mib},
        "batch": {"send_batch_size": 8192, "timeout": "200ms"},
    }


def make_spans() -> list:
    """N_SPANS finished SDK spans, kept so the very same data can be exported twice."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "itest-memory-limiter"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("itest")
    with tracer.start_as_current_span("root"):
        for i in range(N_SPANS - 1):
            with tracer.start_as_current_span(f"child-{i}", attributes={"i": i}):
                pass
    spans = list(memory.get_finished_spans())
    assert len(spans) == N_SPANS
    return spans


def rss(gw) -> float:
    return gw.counter("otelcol_process_memory_rss_bytes")


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_is_refused_over_the_limit_and_accepted_under_a_reasonable_one(gateways, transport):
    spans = make_spans()

    # 1 MiB is far below any process's RSS: refusing from the first request.
    tight = gateways.start(processors=limiter_config(1))
    tight.wait_for(lambda: tight.counter("otelcol_processor_memory_limiter_state", processor="memory_limiter") == 2,
                   what="limiter state 2 (above hard limit)")
    exporter = short_exporter(tight, transport)
    started = time.monotonic()
    result = exporter.export(spans)
    elapsed = time.monotonic() - started
    exporter.shutdown()
    assert result == SpanExportResult.FAILURE
    refused = tight.settle_counter("otelcol_receiver_requests_total", 2, receiver="otlp", transport=transport,
                                   outcome="refused")
    assert refused >= 2, f"the SDK should have retried ({refused} refused requests in {elapsed:.1f}s)"
    # Refused at the receiver before decoding: nothing reached the pipeline, nothing failed as bad input.
    assert tight.counter("otelcol_receiver_accepted_spans_total", transport=transport) == 0
    assert tight.counter("otelcol_receiver_requests_total", transport=transport, outcome="failure") == 0
    assert tight.counter("otelcol_processor_accepted_spans_total", processor="memory_limiter") == 0
    assert tight.alive()
    assert tight.debug_total("traces", "spans") == 0
    # The transition is logged once, not at every 100ms check.
    logs = tight.stdout_text() + tight.stderr_text()
    assert logs.count("memory usage is above hard limit") == 1, logs[-2000:]

    # The same spans to a gateway with room: accepted and delivered.
    roomy = gateways.start(processors=limiter_config(4096))
    exporter = make_span_exporter(roomy, transport, gzip=False)
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    exporter.shutdown()
    roomy.settle_counter("otelcol_receiver_accepted_spans_total", N_SPANS, receiver="otlp", transport=transport)
    assert roomy.counter("otelcol_processor_accepted_spans_total", processor="memory_limiter") == N_SPANS
    assert roomy.counter("otelcol_processor_memory_limiter_state", processor="memory_limiter") == 0
    roomy.settle_debug("traces", "spans", N_SPANS)


def test_large_http_body_is_answered_503_without_growing_rss(gateways):
    gw = gateways.start(processors=limiter_config(1))
    gw.wait_for(lambda: gw.counter("otelcol_processor_memory_limiter_state", processor="memory_limiter") == 2,
                what="limiter refusing")
    body = os.urandom(8 << 20)
    url = gw.http_url("/v1/traces")
    headers = {"Content-Type": "application/x-protobuf"}
    # One small request first, so buffers the connection path needs anyway are in the baseline.
    assert requests.post(url, data=b"", headers=headers, timeout=10).status_code == 503
    time.sleep(0.3)
    before = rss(gw)
    for _ in range(3):
        started = time.monotonic()
        answer = requests.post(url, data=body, headers=headers, timeout=10)
        elapsed = time.monotonic() - started
        assert answer.status_code == 503, answer.text
        assert answer.headers.get("Retry-After") == "1"
        status = status_pb2.Status.FromString(answer.content)
        assert status.code == 14 and "high memory usage" in status.message, status
        assert elapsed < 3.0, f"8 MiB refused in {elapsed:.2f}s"
    time.sleep(0.3)
    after = rss(gw)
    # Each body was dropped as it arrived: RSS moved by far less than one body, let alone three.
    assert after - before < 4 << 20, f"RSS grew by {(after - before) / (1 << 20):.1f} MiB"
    assert gw.counter("otelcol_receiver_requests_total", transport="http", outcome="refused") == 4
    assert gw.counter("otelcol_receiver_requests_total", transport="http", outcome="failure") == 0
    assert gw.alive()


def test_large_grpc_message_is_unavailable_on_its_headers(gateways, grpc_channel_factory):
    import grpc

    from gwhelpers import grpc_call

    gw = gateways.start(processors=limiter_config(1))
    gw.wait_for(lambda: gw.counter("otelcol_processor_memory_limiter_state", processor="memory_limiter") == 2,
                what="limiter refusing")
    channel = grpc_channel_factory(gw.grpc_target)
    path = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
    payload = os.urandom((4 << 20) - 64)  # garbage just under max_recv_msg_size: decoded, it would be INVALID_ARGUMENT
    for _ in range(3):
        with pytest.raises(grpc.RpcError) as caught:
            grpc_call(channel, path, payload)
        err = caught.value
        assert err.code() == grpc.StatusCode.UNAVAILABLE, (err.code(), err.details())
        assert "high memory usage" in err.details()
        details = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
        status = status_pb2.Status.FromString(details)
        assert status.details[0].type_url == "type.googleapis.com/google.rpc.RetryInfo"
    assert gw.counter("otelcol_receiver_requests_total", transport="grpc", outcome="refused") == 3
    assert gw.counter("otelcol_receiver_requests_total", transport="grpc", outcome="failure") == 0
    # The connection still works: the health check answers on it.
    grpc_call(channel, "/grpc.health.v1.Health/Check", b"")
    assert gw.alive()


def test_memory_limiter_after_another_processor_warns_and_still_works(gateways):
    # As the Collector: a warning at start, not a config error.
    gw = gateways.start(processors={
        "batch": {"send_batch_size": 8192, "timeout": "200ms"},
        "memory_limiter": {"check_interval": "1s", "limit_mib": 4096, "spike_limit_mib": 512},
    })
    logs = gw.stdout_text() + gw.stderr_text()
    assert "memory_limiter should be the first processor of a pipeline" in logs, logs[-2000:]
    exporter = short_exporter(gw, "http")
    assert exporter.export(make_spans()) == SpanExportResult.SUCCESS
    exporter.shutdown()
    gw.settle_counter("otelcol_processor_accepted_spans_total", N_SPANS, processor="memory_limiter")
