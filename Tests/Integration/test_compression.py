"""Request bodies in every encoding the Collector's receivers take, built with the Python `zstandard`, `python-snappy`
and `lz4` packages (the SDK's exporters only send gzip): accepted over OTLP/HTTP and gRPC, their decompressed size
limited while inflating (bombs refused with 413 / RESOURCE_EXHAUSTED), corrupt ones answered 400 /
INVALID_ARGUMENT, and the exporters' zstd and snappy read back by a downstream."""

from __future__ import annotations

import zlib

import lz4.frame
import pytest
import snappy
import zstandard

import tracehelpers as th
import wirecraft as wc
from gwhelpers import Ports, gateway_config, http_post

GRPC_TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def request(n: int = 5, tag: str = "c"):
    spans = [th.RawSpan(f"{tag}-{i}", i + 1, 1_000 + i, 2_000 + i) for i in range(n)]
    return th.raw_trace_request([th.RawTrace(0xC0DEC + n, "compression-test", spans)])


ENCODERS = {
    "zstd": lambda b: zstandard.ZstdCompressor(level=3).compress(b),
    "snappy": snappy.compress,
    "x-snappy-framed": lambda b: snappy.StreamCompressor().compress(b),
    "lz4": lz4.frame.compress,
    "deflate": zlib.compress,
    "gzip": lambda b: __import__("gzip").compress(b),
}


@pytest.fixture
def gw(gateways):
    ports = Ports.allocate()
    cfg = gateway_config(ports, http={"max_request_body_size": 65536}, grpc={"max_recv_msg_size_mib": 1},
                         verbosity="basic")
    return gateways.start(cfg, ports=ports)


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_http_bodies_in_each_encoding_are_accepted(gw, encoding):
    before = gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp", transport="http")
    body = ENCODERS[encoding](request(5, encoding).SerializeToString())
    resp = http_post(gw.http_url("/v1/traces"), body, "application/x-protobuf", encoding=encoding)
    assert resp.status_code == 200, resp.text
    assert gw.settle(lambda: gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp", transport="http"),
                     before + 5) == before + 5


@pytest.mark.parametrize("encoding", ["zstd", "snappy", "x-snappy-framed", "lz4", "deflate"])
def test_http_bombs_are_refused_while_inflating(gw, encoding):
    # Zeros compress to a few KB (snappy manages only ~21x, so 1 MB there); the limit is 64 KiB.
    size = 1_000_000 if "snappy" in encoding else 10_000_000
    body = ENCODERS[encoding](b"\x00" * size)
    assert len(body) < 65536
    resp = http_post(gw.http_url("/v1/traces"), body, "application/x-protobuf", encoding=encoding)
    assert resp.status_code == 413, (resp.status_code, resp.text)
    assert "decompressed body larger than max_request_body_size" in resp.text


@pytest.mark.parametrize("encoding", ["zstd", "snappy", "lz4"])
def test_http_corrupt_bodies_are_400(gw, encoding):
    resp = http_post(gw.http_url("/v1/traces"), b"\x28\xb5\x2f\xfd not really compressed", "application/x-protobuf",
                     encoding=encoding)
    assert resp.status_code == 400, (resp.status_code, resp.text)
    assert f"cannot decompress {encoding} body" in resp.text


def grpc_call(gw, encoding: str, message: bytes) -> dict:
    host, port = gw.grpc_target.split(":")
    conn = wc.RawH2(host, int(port))
    try:
        conn.send_headers(1, conn.request_headers(GRPC_TRACES, [("grpc-encoding", encoding)]))
        conn.send_data(1, wc.grpc_frame(message, flag=1))
        return conn.response(1)
    finally:
        conn.close()


@pytest.mark.parametrize("encoding,compress", [
    ("zstd", ENCODERS["zstd"]),
    ("snappy", ENCODERS["x-snappy-framed"]),  # gRPC peers send framed snappy
    ("snappy", ENCODERS["snappy"]),  # and the block format is taken too
    ("deflate", ENCODERS["deflate"]),
])
def test_grpc_messages_in_each_encoding_are_accepted(gw, encoding, compress):
    before = gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp", transport="grpc")
    answer = grpc_call(gw, encoding, compress(request(3, encoding).SerializeToString()))
    assert answer["headers"].get("grpc-status") == "0", answer
    assert "zstd" in answer["headers"].get("grpc-accept-encoding", ""), answer["headers"]
    assert gw.settle(lambda: gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp", transport="grpc"),
                     before + 3) == before + 3


def test_grpc_bombs_and_unknown_encodings(gw):
    bomb = grpc_call(gw, "zstd", ENCODERS["zstd"](b"\x00" * 50_000_000))
    assert bomb["headers"].get("grpc-status") == "8", bomb  # RESOURCE_EXHAUSTED
    unknown = grpc_call(gw, "br", b"whatever")
    assert unknown["headers"].get("grpc-status") == "12", unknown  # UNIMPLEMENTED
    assert unknown["headers"].get("grpc-accept-encoding") == "gzip,deflate,zstd,snappy"


@pytest.mark.parametrize("kind,compression", [("otlphttp", "zstd"), ("otlphttp", "snappy"), ("otlphttp", "lz4"),
                                              ("otlp", "zstd"), ("otlp", "snappy")])
def test_exporters_send_zstd_and_snappy(gateways, kind, compression):
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as ts

    # The downstream is another gateway: it decodes what this one sends, and counts it.
    down_ports = Ports.allocate()
    down = gateways.start(gateway_config(down_ports), ports=down_ports)
    ports = Ports.allocate()
    endpoint = f"http://127.0.0.1:{down_ports.http}" if kind == "otlphttp" else f"127.0.0.1:{down_ports.grpc}"
    exporter = {"endpoint": endpoint, "compression": compression}
    if kind == "otlp":
        exporter["tls"] = {"insecure": True}
    gw = gateways.start(th.traces_gateway_config(ports, {f"{kind}/down": exporter}, batch=False), ports=ports)
    req = request(4, compression)
    assert isinstance(req, ts.ExportTraceServiceRequest)
    resp = http_post(gw.http_url("/v1/traces"), req.SerializeToString(), "application/x-protobuf")
    assert resp.status_code == 200, resp.text
    transport = "http" if kind == "otlphttp" else "grpc"
    assert down.settle(lambda: down.counter("otelcol_receiver_accepted_spans_total", receiver="otlp",
                                            transport=transport), 4) == 4
