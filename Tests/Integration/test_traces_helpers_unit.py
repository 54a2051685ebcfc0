"""Unit tests of tracehelpers (no gateway binary): the Python receivers decode what the real SDK
exporters send, the span comparison finds every kind of difference, OTLP/JSON round-trips, and the
RetryInfo status detail is well-formed."""

from __future__ import annotations

import copy
import gzip

import pytest
import requests

import tracehelpers as th


def test_sdk_to_python_grpc_receiver_compares_equal():
    rx = th.GRPCTraceReceiver().start()
    try:
        w = th.emit_workload(th.sdk_grpc_exporter(rx.target, gzip_=True))
        assert th.compare_spans(rx.accepted_spans(), w.expected, "grpc receiver") == []
        assert rx.attempts() == 1
        assert len(w.expected) == 30
    finally:
        rx.stop()


@pytest.mark.parametrize("gzip_", [True, False])
def test_sdk_to_python_http_receiver_compares_equal(gzip_):
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    rx = th.HTTPTraceReceiver().start()
    try:
        exp = OTLPSpanExporter(endpoint=rx.endpoint + "/v1/traces", timeout=10,
                               compression=Compression.Gzip if gzip_ else Compression.NoCompression)
        w = th.emit_workload(exp)
        reqs = rx.snapshot()
        assert len(reqs) == 1 and reqs[0].error is None
        assert reqs[0].headers.get("content-encoding") == ("gzip" if gzip_ else None)
        assert th.compare_spans(rx.accepted_spans(), w.expected, "http receiver") == []
    finally:
        rx.stop()


def test_http_receiver_json_gzip_and_script():
    req = th.raw_trace_request([th.RawTrace(0xAB, "svc", [th.RawSpan("a", 1, 10, 20, attrs={"k": [1, 2]})])])
    rx = th.HTTPTraceReceiver([th.HTTPAnswer(503, retry_after="1"), th.HTTPAnswer(200, rejected=1, error_message="x")]).start()
    try:
        import json

        body = gzip.compress(json.dumps(th.request_to_otlp_json(req)).encode())
        r1 = requests.post(rx.endpoint + "/v1/traces", data=body, timeout=5,
                           headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert r1.status_code == 503 and r1.headers["Retry-After"] == "1"
        r2 = requests.post(rx.endpoint + "/v1/traces", data=req.SerializeToString(), timeout=5,
                           headers={"Content-Type": "application/x-protobuf"})
        assert r2.status_code == 200
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

        resp = ts.ExportTraceServiceResponse.FromString(r2.content)
        assert resp.partial_success.rejected_spans == 1
        recs = rx.snapshot()
        assert [r.request == req for r in recs] == [True, True]
        assert len(rx.accepted_spans()) == 1  # the 503 does not count
        r3 = requests.post(rx.endpoint + "/v1/traces", data=b"\x0a\xff", timeout=5,
                           headers={"Content-Type": "application/x-protobuf"})
        assert r3.status_code == 400
    finally:
        rx.stop()


def test_compare_spans_reports_each_difference():
    req = th.raw_trace_request([th.RawTrace(0xAB, "svc", [
        th.RawSpan("a", 1, 10, 20, attrs={"k": 1, "s": "x"}), th.RawSpan("b", 2, 11, 19, parent_id=1)])])
    expected = th.by_key(th.span_records(req))
    assert th.compare_spans(th.span_records(req), expected, "same") == []

    changed = copy.deepcopy(req)
    sp = changed.resource_spans[0].scope_spans[0].spans[0]
    sp.attributes[0].value.double_value = 1.0  # int -> double: a type change is a difference
    sp.end_time_unix_nano = 21
    problems = th.compare_spans(th.span_records(changed), expected, "changed")
    assert any("attributes.k" in p and "double" in p for p in problems), problems
    assert any("end_time_unix_nano" in p for p in problems), problems

    dup = copy.deepcopy(req)
    dup.resource_spans[0].scope_spans[0].spans.append(dup.resource_spans[0].scope_spans[0].spans[1])
    assert any("arrived 2 times" in p for p in th.compare_spans(th.span_records(dup), expected, "dup"))

    missing = copy.deepcopy(req)
    del missing.resource_spans[0].scope_spans[0].spans[1]
    assert any("missing" in p for p in th.compare_spans(th.span_records(missing), expected, "missing"))

    other = copy.deepcopy(req)
    other.resource_spans[0].resource.attributes[0].value.string_value = "svc2"
    assert any(p.startswith("res: span") and "resource.service.name" in p
               for p in th.compare_spans(th.span_records(other), expected, "res"))


def test_otlp_json_round_trip_with_hex_ids():
    req = th.raw_trace_request([th.RawTrace(0x0102030405060708090A0B0C0D0E0F10, "svc", [
        th.RawSpan("a", 0x1112131415161718, 10, 20, attrs={"arr": ["x", 2, 1.5, True], "b": b"\x00\x01"}),
        th.RawSpan("b", 2, 11, 19, parent_id=0x1112131415161718, status_code=2, status_message="m")])])
    doc = th.request_to_otlp_json(req)
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert span["traceId"] == "0102030405060708090a0b0c0d0e0f10" and span["spanId"] == "1112131415161718"
    assert th.otlp_json_to_request(doc) == req


def test_status_details_bin_has_retry_info():
    from google.rpc import error_details_pb2, status_pb2

    st = status_pb2.Status.FromString(th.status_details_bin(8, "slow down", 2.5))
    assert st.code == 8 and st.message == "slow down" and len(st.details) == 1
    info = error_details_pb2.RetryInfo()
    assert st.details[0].Unpack(info)
    assert (info.retry_delay.seconds, info.retry_delay.nanos) == (2, 500_000_000)


def test_grpc_receiver_script_and_retry_info_trailer():
    import grpc
    from google.rpc import status_pb2

    rx = th.GRPCTraceReceiver([th.GRPCAnswer("RESOURCE_EXHAUSTED", "later", retry_delay=2.0),
                               th.GRPCAnswer("OK", "too old", rejected=2)]).start()
    ch = grpc.insecure_channel(rx.target)
    try:
        req = th.raw_trace_request([th.RawTrace(0xAB, "svc", [th.RawSpan("a", 1, 10, 20)])])
        with pytest.raises(grpc.RpcError) as ei:
            th.send_traces_grpc(ch, req)
        assert ei.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        trailer = dict(ei.value.trailing_metadata())["grpc-status-details-bin"]
        assert status_pb2.Status.FromString(trailer).code == 8
        resp = th.send_traces_grpc(ch, req)
        assert resp.partial_success.rejected_spans == 2
        assert rx.attempts() == 2 and len(rx.accepted_spans()) == 1
    finally:
        ch.close()
        rx.stop()


def test_config_pieces_render():
    from gwhelpers import to_yaml

    sp = th.StorePorts.allocate()
    text = to_yaml(th.store_gateway_config(sp, max_bytes=20000))
    assert f'endpoint: "127.0.0.1:{sp.api}"' in text and "max_bytes: 20000" in text
    sp2 = th.StorePorts.allocate(grpc_port=sp.api)
    assert sp2.base.grpc == sp.api and len({sp2.base.grpc, sp2.base.http, sp2.base.health,
                                             sp2.base.telemetry, sp2.api}) == 5


def test_compare_spans_keys_by_trace_and_span_id():
    a = th.raw_trace_request([th.RawTrace(0xA, "svc", [th.RawSpan("x", 1, 10, 20)])])
    b = th.raw_trace_request([th.RawTrace(0xB, "svc", [th.RawSpan("x", 1, 10, 20)])])
    expected = th.by_key(th.span_records(a) + th.span_records(b))
    assert len(expected) == 2 and th.span_key(0xA, 1) in expected
    assert th.compare_spans(th.span_records(a) + th.span_records(b), expected, "both") == []
    assert any("missing" in p for p in th.compare_spans(th.span_records(a), expected, "one"))
