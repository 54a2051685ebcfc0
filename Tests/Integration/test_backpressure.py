"""A full pipeline answers with a retryable status and a retry hint, and the refusal is counted.

The batch processor holds at most `max_pending_items` items; with a long timeout and a large
send_batch_size nothing drains during the test, so the second request overflows it deterministically."""

import grpc
from google.rpc import status_pb2

from gwhelpers import build_request, grpc_call, http_post

TRACE_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def start_small_pipeline(gateways):
    return gateways.start(batch={"send_batch_size": 1000, "timeout": "60s", "max_pending_items": 10})


def test_grpc_full_pipeline_is_unavailable_with_retry_info(gateways, grpc_channel_factory):
    gw = start_small_pipeline(gateways)
    channel = grpc_channel_factory(gw.grpc_target)
    grpc_call(channel, TRACE_PATH, build_request("traces", 8).SerializeToString())
    try:
        grpc_call(channel, TRACE_PATH, build_request("traces", 5).SerializeToString())
        raise AssertionError("expected UNAVAILABLE")
    except grpc.RpcError as err:
        assert err.code() == grpc.StatusCode.UNAVAILABLE, (err.code(), err.details())
        assert "max_pending_items" in err.details()
        details = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
        assert details, "no grpc-status-details-bin with RetryInfo"
        status = status_pb2.Status.FromString(details)
        assert status.code == grpc.StatusCode.UNAVAILABLE.value[0]
        assert status.details[0].type_url == "type.googleapis.com/google.rpc.RetryInfo"
    gw.settle_counter("otelcol_receiver_refused_spans_total", 5, receiver="otlp", transport="grpc")
    gw.settle_counter("otelcol_receiver_accepted_spans_total", 8, receiver="otlp", transport="grpc")
    gw.settle_counter("otelcol_receiver_requests_total", 1, receiver="otlp", transport="grpc", outcome="refused")
    # Two more items still fit: the refusal cost only the refused request.
    grpc_call(channel, TRACE_PATH, build_request("traces", 2).SerializeToString())
    gw.settle_counter("otelcol_receiver_accepted_spans_total", 10, receiver="otlp", transport="grpc")


def test_http_full_pipeline_is_503_with_retry_after(gateways):
    gw = start_small_pipeline(gateways)
    ok = http_post(gw.http_url("/v1/traces"), build_request("traces", 9).SerializeToString())
    assert ok.status_code == 200, ok.text
    refused = http_post(gw.http_url("/v1/traces"), build_request("traces", 4).SerializeToString())
    assert refused.status_code == 503, refused.text
    assert refused.headers.get("Retry-After") == "1"
    status = status_pb2.Status.FromString(refused.content)
    assert status.code == 14 and "max_pending_items" in status.message
    gw.settle_counter("otelcol_receiver_refused_spans_total", 4, receiver="otlp", transport="http")


def test_the_batch_buffer_is_bounded_in_bytes(gateways):
    """Few spans, many bytes: the byte bound refuses long before the item bound, and the gauge shows the fill."""
    gw = gateways.start(batch={"send_batch_size": 100000, "timeout": "60s", "max_pending_bytes": 200000})
    big = build_request("traces", 5)
    for rs in big.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                span.attributes.add(key="payload").value.string_value = "x" * 30000
    body = big.SerializeToString()
    assert 150000 < len(body) < 200000, len(body)
    assert http_post(gw.http_url("/v1/traces"), body).status_code == 200
    held = gw.counter("otlp_gateway_processor_batch_pending_bytes", processor="batch", otel_signal="traces")
    assert len(body) <= held < 200000, held
    refused = http_post(gw.http_url("/v1/traces"), body)
    assert refused.status_code == 503, refused.text
    assert refused.headers.get("Retry-After") == "1"
    assert "max_pending_bytes" in status_pb2.Status.FromString(refused.content).message
    assert gw.settle_counter("otelcol_receiver_refused_spans_total", 5, receiver="otlp", transport="http") == 5
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", 5, receiver="otlp", transport="http") == 5
