"""Malformed, oversized and misdirected requests over gRPC and HTTP: each gets the documented status,
bad data is counted in otelcol_receiver_requests_total{outcome="failure"}, and the gateway keeps
serving (a good export succeeds afterwards). One gateway with small limits serves the module:
max_request_body_size 1024 bytes (HTTP) and max_recv_msg_size_mib 1 (gRPC); tests assert deltas."""

from __future__ import annotations

import gzip
import http.client
import json

import grpc
import pytest
from google.protobuf.message import DecodeError
from google.rpc import status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from gwhelpers import GRPC_PATHS, HTTP_PATHS, build_request, grpc_call, http_post, trace_request

HTTP_LIMIT = 1024
GRPC_LIMIT_MIB = 1
PARSERS = {
    "traces": trace_service_pb2.ExportTraceServiceRequest,
    "metrics": metrics_service_pb2.ExportMetricsServiceRequest,
    "logs": logs_service_pb2.ExportLogsServiceRequest,
}
ACCEPTED = {
    "traces": "otelcol_receiver_accepted_spans_total",
    "metrics": "otelcol_receiver_accepted_metric_points_total",
    "logs": "otelcol_receiver_accepted_log_records_total",
}
FAILURES = "otelcol_receiver_requests_total"


@pytest.fixture(scope="module")
def gw(module_gateways):
    return module_gateways.start(http={"max_request_body_size": HTTP_LIMIT},
                                 grpc={"max_recv_msg_size_mib": GRPC_LIMIT_MIB})


@pytest.fixture
def channel(gw, grpc_channel_factory):
    return grpc_channel_factory(gw.grpc_target)


def failures(gw, transport: str) -> float:
    return gw.counter(FAILURES, receiver="otlp", transport=transport, outcome="failure")


def expect_failure_counted(gw, transport: str, before: float) -> None:
    gw.wait_for(lambda: failures(gw, transport) > before, timeout=10,
                what=f'{FAILURES}{{transport="{transport}",outcome="failure"}} to grow above {before}')


def assert_still_serves(gw, transport: str, channel=None, signal: str = "traces") -> None:
    """A small good export succeeds and is counted exactly once."""
    n = 2
    before = gw.counter(ACCEPTED[signal], receiver="otlp", transport=transport)
    payload = build_request(signal, n).SerializeToString()
    assert len(payload) < HTTP_LIMIT
    if transport == "grpc":
        own = channel is None
        ch = channel or grpc.insecure_channel(gw.grpc_target)
        try:
            grpc_call(ch, GRPC_PATHS[signal], payload)
        finally:
            if own:
                ch.close()
    else:
        resp = http_post(gw.http_url(HTTP_PATHS[signal]), payload)
        assert resp.status_code == 200, (resp.status_code, resp.content)
    after = gw.settle(lambda: gw.counter(ACCEPTED[signal], receiver="otlp", transport=transport), before + n,
                      what=f"{ACCEPTED[signal]} after a good export")
    assert after == before + n


def truncated(signal: str) -> bytes:
    full = build_request(signal, 5).SerializeToString()
    cut = full[: len(full) // 2]
    with pytest.raises(DecodeError):  # make sure the cut really is undecodable
        PARSERS[signal].FromString(cut)
    return cut


def rpc_error(fn) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as ei:
        fn()
    return ei.value


# ------------------------------------------------------------------------------------------ gRPC


def test_grpc_garbage_is_invalid_argument(gw, channel):
    garbage = b"\xff" * 11 + b"not a protobuf"
    with pytest.raises(DecodeError):
        trace_service_pb2.ExportTraceServiceRequest.FromString(garbage)
    before = failures(gw, "grpc")
    err = rpc_error(lambda: grpc_call(channel, GRPC_PATHS["traces"], garbage))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, (err.code(), err.details())
    assert err.details(), "INVALID_ARGUMENT must carry a message"
    expect_failure_counted(gw, "grpc", before)
    assert_still_serves(gw, "grpc", channel)


@pytest.mark.parametrize("signal", ["traces", "metrics", "logs"])
def test_grpc_truncated_message_is_invalid_argument(gw, channel, signal):
    before = failures(gw, "grpc")
    accepted_before = gw.counter(ACCEPTED[signal], receiver="otlp")
    err = rpc_error(lambda: grpc_call(channel, GRPC_PATHS[signal], truncated(signal)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, (err.code(), err.details())
    assert err.details()
    expect_failure_counted(gw, "grpc", before)
    assert gw.counter(ACCEPTED[signal], receiver="otlp") == accepted_before
    assert_still_serves(gw, "grpc", channel, signal)


def test_grpc_over_max_recv_msg_size_is_resource_exhausted(gw, channel):
    req = trace_request(1, big_attribute=GRPC_LIMIT_MIB * 1024 * 1024 + 200_000).SerializeToString()
    before = failures(gw, "grpc")
    err = rpc_error(lambda: grpc_call(channel, GRPC_PATHS["traces"], req))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, (err.code(), err.details())
    expect_failure_counted(gw, "grpc", before)
    assert_still_serves(gw, "grpc", channel)


def test_grpc_gzip_that_inflates_past_the_limit_is_resource_exhausted(gw, channel):
    req = trace_request(1, big_attribute=GRPC_LIMIT_MIB * 1024 * 1024 + 200_000).SerializeToString()
    assert len(gzip.compress(req)) < 64 * 1024  # small on the wire, too big once inflated
    before = failures(gw, "grpc")
    err = rpc_error(lambda: grpc_call(channel, GRPC_PATHS["traces"], req, compression=grpc.Compression.Gzip))
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, (err.code(), err.details())
    expect_failure_counted(gw, "grpc", before)
    assert_still_serves(gw, "grpc", channel)


def test_grpc_gzip_request_within_limit_is_accepted(gw, channel):
    before = gw.counter(ACCEPTED["traces"], receiver="otlp", transport="grpc")
    req = trace_request(4, big_attribute=200_000).SerializeToString()
    grpc_call(channel, GRPC_PATHS["traces"], req, compression=grpc.Compression.Gzip)
    assert gw.settle(lambda: gw.counter(ACCEPTED["traces"], receiver="otlp", transport="grpc"),
                     before + 4) == before + 4


@pytest.mark.parametrize("path", [
    "/opentelemetry.proto.collector.trace.v1.TraceService/Nope",
    "/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export",
    "/no.such.Service/Method",
])
def test_grpc_unknown_method_is_unimplemented(gw, channel, path):
    err = rpc_error(lambda: grpc_call(channel, path, b""))
    assert err.code() == grpc.StatusCode.UNIMPLEMENTED, (err.code(), err.details())
    assert_still_serves(gw, "grpc", channel)


def test_grpc_health_check_serving(gw, channel):
    # grpc.health.v1.HealthCheckRequest{} is b""; HealthCheckResponse{status: SERVING(1)} is b"\x08\x01".
    assert grpc_call(channel, "/grpc.health.v1.Health/Check", b"") == b"\x08\x01"


def test_grpc_empty_request_succeeds(gw, channel):
    resp = grpc_call(channel, GRPC_PATHS["traces"], b"")
    assert trace_service_pb2.ExportTraceServiceResponse.FromString(resp).partial_success.rejected_spans == 0


# ------------------------------------------------------------------------------------------ HTTP


def test_http_truncated_protobuf_is_400_with_rpc_status(gw):
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), truncated("traces"), "application/x-protobuf")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    assert resp.headers.get("Content-Type", "").split(";")[0].strip() == "application/x-protobuf"
    status = status_pb2.Status.FromString(resp.content)
    assert status.message, "the google.rpc.Status body must carry a message"
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


@pytest.mark.parametrize("body", [
    pytest.param(b'{"resourceSpans": [', id="truncated-json"),
    pytest.param(b'{"resourceSpans": 5}', id="wrong-type"),
    pytest.param(b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz"}]}]}]}', id="bad-hex-id"),
])
def test_http_bad_json_is_400_with_json_status(gw, body):
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), body, "application/json")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    assert resp.headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
    doc = json.loads(resp.content)
    assert isinstance(doc, dict) and doc.get("message"), doc
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


def test_http_bad_gzip_is_400(gw):
    before = failures(gw, "http")
    body = b"\x1f\x8b\x08\x00" + b"definitely not deflate data"
    resp = http_post(gw.http_url("/v1/traces"), body, "application/x-protobuf", encoding="gzip")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


def test_http_truncated_gzip_is_400(gw):
    full = gzip.compress(trace_request(3).SerializeToString())
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), full[: len(full) - 12], "application/x-protobuf", encoding="gzip")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


def test_http_unknown_content_encoding_is_400(gw):
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), trace_request(1).SerializeToString(), "application/x-protobuf",
                     encoding="x-unknown-codec")
    assert resp.status_code == 400, (resp.status_code, resp.content)
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


def test_http_gzip_within_limit_is_accepted(gw):
    before = gw.counter(ACCEPTED["traces"], receiver="otlp", transport="http")
    body = gzip.compress(trace_request(3).SerializeToString())
    resp = http_post(gw.http_url("/v1/traces"), body, "application/x-protobuf", encoding="gzip")
    assert resp.status_code == 200, (resp.status_code, resp.content)
    assert gw.settle(lambda: gw.counter(ACCEPTED["traces"], receiver="otlp", transport="http"),
                     before + 3) == before + 3


def test_http_oversized_body_is_413(gw):
    body = trace_request(1, big_attribute=2 * HTTP_LIMIT).SerializeToString()
    assert HTTP_LIMIT < len(body) < 4 * HTTP_LIMIT
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), body, "application/x-protobuf")
    assert resp.status_code == 413, (resp.status_code, resp.content)
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


def test_http_gzip_that_inflates_past_the_limit_is_413(gw):
    raw = trace_request(1, big_attribute=200_000).SerializeToString()
    body = gzip.compress(raw)
    assert len(body) < HTTP_LIMIT < len(raw)
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), body, "application/x-protobuf", encoding="gzip")
    assert resp.status_code == 413, (resp.status_code, resp.content)
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml"])
def test_http_unsupported_content_type_is_415(gw, content_type):
    before = failures(gw, "http")
    resp = http_post(gw.http_url("/v1/traces"), trace_request(1).SerializeToString(), content_type)
    assert resp.status_code == 415, (resp.status_code, resp.content)
    expect_failure_counted(gw, "http", before)
    assert_still_serves(gw, "http")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_http_non_post_is_405(gw, method):
    resp = http_post(gw.http_url("/v1/traces"), b"", "application/x-protobuf", method=method)
    assert resp.status_code == 405, (resp.status_code, resp.content)
    assert_still_serves(gw, "http")


@pytest.mark.parametrize("path", ["/v2/nothing", "/", "/v1/profiles", "/v1/traces/extra"])
def test_http_unknown_path_is_404(gw, path):
    resp = http_post(gw.http_url(path), trace_request(1).SerializeToString(), "application/x-protobuf")
    assert resp.status_code == 404, (resp.status_code, resp.content)
    assert_still_serves(gw, "http")


def test_http_keep_alive_reuses_one_connection(gw):
    before = gw.counter(ACCEPTED["traces"], receiver="otlp", transport="http")
    conn = http.client.HTTPConnection("127.0.0.1", gw.ports.http, timeout=10)
    try:
        body = trace_request(2).SerializeToString()
        sock = None
        for i in range(5):
            conn.request("POST", "/v1/traces", body=body, headers={"Content-Type": "application/x-protobuf"})
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
            assert (resp.getheader("Connection") or "").lower() != "close"
            if sock is None:
                sock = conn.sock
            assert conn.sock is sock and sock is not None, f"connection was not kept alive (request {i})"
        # an error response on the same connection must not break it either
        conn.request("POST", "/v1/traces", body=b"\xff" * 8, headers={"Content-Type": "application/x-protobuf"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 400
        conn.request("POST", "/v1/traces", body=body, headers={"Content-Type": "application/x-protobuf"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200
    finally:
        conn.close()
    assert gw.settle(lambda: gw.counter(ACCEPTED["traces"], receiver="otlp", transport="http"),
                     before + 12) == before + 12


def test_gateway_survived_everything(gw):
    """Runs last in this module: the shared gateway is still alive and reports process metrics."""
    assert gw.alive()
    m = gw.metrics()
    rss = [v for (name, _), v in m.items() if name == "otelcol_process_memory_rss_bytes"]
    assert len(rss) == 1 and rss[0] > 0
    cpu = [v for (name, _), v in m.items() if name == "otelcol_process_cpu_seconds_total"]
    assert len(cpu) == 1 and cpu[0] >= 0
