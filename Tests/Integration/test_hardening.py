"""Hostile input, as an attacker on the gateway's network would send it (issue: hardening). Each case checks
the answer of the right protocol kind, that it is counted, that the process stays alive with bounded memory,
and that a legitimate client (the real OTel SDK exporters, or a good request) is served meanwhile.

Protobuf and HTTP/2 bytes that no SDK would produce are built by hand in wirecraft.py."""

from __future__ import annotations

import os
import resource
import signal
import socket
import struct
import threading
import time

import grpc
import pytest
import requests
from hyperframe.frame import DataFrame, GoAwayFrame, HeadersFrame, RstStreamFrame

import wirecraft as w
from gwhelpers import GRPC_PATHS, HTTP_PATHS, build_request, grpc_call

SIGNALS = ("traces", "metrics", "logs")
ACCEPTED = {
    "traces": "otelcol_receiver_accepted_spans_total",
    "metrics": "otelcol_receiver_accepted_metric_points_total",
    "logs": "otelcol_receiver_accepted_log_records_total",
}


def rss_mib(gw) -> float:
    with open(f"/proc/{gw.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def protections(gw, transport: str, reason: str) -> float:
    return gw.counter("otlp_gateway_receiver_protections_total", receiver="otlp", transport=transport, reason=reason)


def failures(gw, transport: str) -> float:
    return gw.counter("otelcol_receiver_requests_total", receiver="otlp", transport=transport, outcome="failure")


def sdk_export_works(gw, transport: str = "grpc") -> None:
    """The real OTel SDK span exporter (gRPC or HTTP) exports 3 spans, and they are counted as accepted."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        exporter = OTLPSpanExporter(endpoint=f"http://{gw.grpc_target}", insecure=True, timeout=10)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        exporter = OTLPSpanExporter(endpoint=gw.http_url("/v1/traces"), timeout=10)
    before = gw.counter(ACCEPTED["traces"], receiver="otlp", transport=transport)
    provider = TracerProvider(resource=Resource.create({"service.name": "legit"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("hardening")
    for i in range(3):
        with tracer.start_as_current_span(f"legit-{i}"):
            pass
    provider.shutdown()
    gw.settle(lambda: gw.counter(ACCEPTED["traces"], receiver="otlp", transport=transport), before + 3,
              what=f"3 SDK spans accepted over {transport}")


def post(gw, signal: str, body: bytes, content_type: str = "application/x-protobuf", **kw):
    return requests.post(gw.http_url(HTTP_PATHS[signal]), data=body, headers={"Content-Type": content_type, **kw},
                         timeout=10)


def status_message(resp) -> str:
    from google.rpc import status_pb2
    return status_pb2.Status.FromString(resp.content).message


@pytest.fixture(scope="module")
def gw(module_gateways):
    return module_gateways.start()


@pytest.fixture(scope="module", autouse=True)
def more_fds():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# ------------------------------------------------------------------------------ bounded decoding


@pytest.mark.parametrize("signal", SIGNALS)
@pytest.mark.parametrize("kind,depth", [("array", 5000), ("kvlist", 3000)])
def test_deep_nesting_refused_over_http_and_grpc(gw, grpc_channel_factory, signal, kind, depth):
    body = w.REQUESTS[signal](w.nested_any_value(depth, kind))
    assert len(body) < 64 << 10
    before_http, before_grpc = failures(gw, "http"), failures(gw, "grpc")
    resp = post(gw, signal, body)
    assert resp.status_code == 400, (resp.status_code, resp.content[:200])
    assert "AnyValue nested deeper than 32 levels" in status_message(resp)
    with pytest.raises(grpc.RpcError) as ei:
        grpc_call(grpc_channel_factory(gw.grpc_target), GRPC_PATHS[signal], body)
    assert ei.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "AnyValue nested deeper than 32 levels" in ei.value.details()
    assert gw.alive()
    assert rss_mib(gw) < 200, rss_mib(gw)
    gw.wait_for(lambda: failures(gw, "http") > before_http and failures(gw, "grpc") > before_grpc,
                what="both refusals counted as failures")
    sdk_export_works(gw, "grpc")


@pytest.mark.parametrize("signal", SIGNALS)
def test_nesting_limit_is_exactly_32(gw, signal):
    before = gw.counter(ACCEPTED[signal], receiver="otlp", transport="http")
    ok = post(gw, signal, w.REQUESTS[signal](w.nested_any_value(32)))
    assert ok.status_code == 200, ok.content
    gw.settle(lambda: gw.counter(ACCEPTED[signal], receiver="otlp", transport="http"), before + 1,
              what="the 32-deep item accepted")
    refused = post(gw, signal, w.REQUESTS[signal](w.nested_any_value(33)))
    assert refused.status_code == 400


def test_invalid_utf8_in_a_string_field_is_refused(gw, grpc_channel_factory):
    body = w.traces_request(w.nested_any_value(1), name=b"bad\xff\xfe")
    resp = post(gw, "traces", body)
    assert resp.status_code == 400
    assert "not valid UTF-8" in status_message(resp) and "Span.name" in status_message(resp)
    with pytest.raises(grpc.RpcError) as ei:
        grpc_call(grpc_channel_factory(gw.grpc_target), GRPC_PATHS["traces"], body)
    assert ei.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    # Overlong encodings and surrogates are not UTF-8 either.
    for bad in (b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"):
        assert post(gw, "traces", w.traces_request(w.field(1, bad))).status_code == 400, bad
    good = "grüße ✓ 𝄞".encode()
    assert post(gw, "traces", w.traces_request(w.field(1, good))).status_code == 200


def test_nul_in_a_string_is_refused_not_cut(gw):
    """protobuf-c hands strings over NUL-terminated: a U+0000 would silently cut the string wherever data is
    decoded from protobuf again (queues, journals, a downstream gateway), so it is refused in both encodings."""
    resp = post(gw, "traces", w.traces_request(w.field(1, b"a\x00b")))
    assert resp.status_code == 400 and "U+0000" in status_message(resp), resp.content
    doc = ('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",'
           '"spanId":"eee19b7ec3c1b174","name":"a\\u0000b"}]}]}]}')
    resp = post(gw, "traces", doc.encode(), "application/json")
    assert resp.status_code == 400 and "u0000" in resp.json()["message"], resp.content


def test_empty_json_body_is_400(gw):
    resp = post(gw, "traces", b"", "application/json")
    assert resp.status_code == 400
    assert "empty JSON body" in resp.json()["message"]
    assert post(gw, "traces", b"", "application/x-protobuf").status_code == 200  # an empty protobuf message


# ------------------------------------------------------------------------------ gRPC framing, raw HTTP/2


def raw(gw, **kw) -> w.RawH2:
    return w.RawH2("127.0.0.1", gw.ports.grpc, **kw)


def test_grpc_compressed_flag_2_is_internal(gw):
    c = raw(gw)
    try:
        c.send_headers(1, c.request_headers(GRPC_PATHS["traces"]))
        c.send_data(1, w.grpc_frame(build_request("traces", 1).SerializeToString(), flag=2))
        r = c.response(1)
        assert r["headers"].get("grpc-status") == "13", r
        assert "payload format" in r["headers"].get("grpc-message", "")
    finally:
        c.close()


def test_grpc_compressed_flag_without_encoding_is_internal(gw):
    c = raw(gw)
    try:
        c.send_headers(1, c.request_headers(GRPC_PATHS["traces"]))
        c.send_data(1, w.grpc_frame(build_request("traces", 1).SerializeToString(), flag=1))
        r = c.response(1)
        assert r["headers"].get("grpc-status") == "13", r
    finally:
        c.close()


def test_grpc_garbage_timeout_is_internal(gw):
    c = raw(gw)
    try:
        c.send_headers(1, c.request_headers(GRPC_PATHS["traces"], [("grpc-timeout", "soon")]))
        c.send_data(1, w.grpc_frame(build_request("traces", 1).SerializeToString()))
        r = c.response(1)
        assert r["headers"].get("grpc-status") == "13", r
        assert "grpc-timeout" in r["headers"].get("grpc-message", "")
        # A well-formed timeout is fine.
        c.send_headers(3, c.request_headers(GRPC_PATHS["traces"], [("grpc-timeout", "5S")]))
        c.send_data(3, w.grpc_frame(build_request("traces", 1).SerializeToString()))
        assert c.response(3)["headers"].get("grpc-status") == "0"
    finally:
        c.close()


def test_grpc_4gb_length_prefix_answered_at_once(gw):
    c = raw(gw)
    try:
        c.send_headers(1, c.request_headers(GRPC_PATHS["traces"]))
        # The prefix announces 4 GiB - 1 and the stream stays open: the answer must not wait for END_STREAM.
        c.send_data(1, b"\x00\xff\xff\xff\xff" + b"x" * 100, end_stream=False)
        started = time.monotonic()
        r = c.response(1, timeout=5)
        assert r["headers"].get("grpc-status") == "8", r
        assert time.monotonic() - started < 3
    finally:
        c.close()
    sdk_export_works(gw, "grpc")


def test_hpack_bomb_is_reset_and_memory_stays_bounded(gw):
    """One 4 KB header in the HPACK table referenced ~12,000 times per 16 KB block (48 MB decoded per stream):
    each stream is reset for its header list size; 20 streams on each of 5 connections keep RSS flat."""
    rss_before = rss_mib(gw)
    before = protections(gw, "grpc", "header_list_too_large")
    conns = []
    for _ in range(5):
        c = raw(gw)
        conns.append(c)
        for i in range(20):
            block = w.hpack_plain_request(GRPC_PATHS["traces"])
            bomb = w.hpack_bomb_block(12_000) if i == 0 else b"\xbe" * 16_000
            c.send_headers(1 + 2 * i, block + bomb, end_stream=True)
    try:
        for c in conns:
            resets = 0
            deadline = time.monotonic() + 10
            while resets < 20 and time.monotonic() < deadline:
                f = c.read_frame(deadline - time.monotonic())
                if f is None:
                    break
                if isinstance(f, RstStreamFrame):
                    resets += 1
            assert resets == 20, f"expected 20 reset streams, got {resets}"
    finally:
        for c in conns:
            c.close()
    gw.settle(lambda: protections(gw, "grpc", "header_list_too_large"), before + 100,
              what="100 oversized header lists counted")
    assert rss_mib(gw) - rss_before < 64, (rss_before, rss_mib(gw))
    sdk_export_works(gw, "grpc")


def test_4mb_of_headers(gw):
    # gRPC: 4 MB of headers in HEADERS + CONTINUATION frames. nghttp2 ends the connection (GOAWAY) once the
    # CONTINUATION frames exceed its own bound; a smaller excess resets just the stream. Either way nothing is
    # answered OK, the refusal is counted, and a new connection is served.
    rss_before = rss_mib(gw)
    before = protections(gw, "grpc", "header_list_too_large") + protections(gw, "grpc", "protocol_error")
    c = raw(gw)
    try:
        extra = [(f"x-big-{i}", "v" * 16_000) for i in range(256)]
        try:
            c.send_headers(1, c.request_headers(GRPC_PATHS["traces"], extra), end_stream=True)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            r = c.response(1, timeout=10)
        except (BrokenPipeError, ConnectionResetError):
            r = {"closed": True, "headers": {}, "reset": None, "goaway": None}
        assert r["headers"].get("grpc-status") != "0", r
        assert r["reset"] is not None or r["goaway"] is not None or r["closed"], r
    finally:
        c.close()
    gw.wait_for(lambda: protections(gw, "grpc", "header_list_too_large")
                + protections(gw, "grpc", "protocol_error") > before, what="the refusal counted")
    # 20 KB of headers (over the 16 KiB list limit, in two frames): only the stream is reset.
    before = protections(gw, "grpc", "header_list_too_large")
    c = raw(gw)
    try:
        extra = [(f"x-big-{i}", "v" * 10_000) for i in range(2)]
        c.send_headers(1, c.request_headers(GRPC_PATHS["traces"], extra), end_stream=True)
        r = c.response(1, timeout=10)
        assert r["reset"] is not None, r
        c.send_headers(3, c.request_headers(GRPC_PATHS["traces"]))
        c.send_data(3, w.grpc_frame(build_request("traces", 1).SerializeToString()))
        assert c.response(3)["headers"].get("grpc-status") == "0"
    finally:
        c.close()
    assert protections(gw, "grpc", "header_list_too_large") == before + 1
    # HTTP/1.1: 431 before the decoder has buffered the head.
    before = protections(gw, "http", "header_list_too_large")
    s = socket.create_connection(("127.0.0.1", gw.ports.http), timeout=10)
    try:
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\n")
        try:
            for i in range(256):
                s.sendall(f"X-Big-{i}: {'v' * 16_000}\r\n".encode())
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    finally:
        s.close()
    assert protections(gw, "http", "header_list_too_large") == before + 1
    assert rss_mib(gw) - rss_before < 32, (rss_before, rss_mib(gw))
    sdk_export_works(gw, "http")


# ------------------------------------------------------------------------------ HTTP/1.1 early answers


def test_oversized_content_length_is_413_at_once(gw):
    s = socket.create_connection(("127.0.0.1", gw.ports.http), timeout=5)
    try:
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                  b"Content-Length: 4000000000\r\n\r\n")
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    finally:
        s.close()


def test_expect_100_continue(gw):
    body = build_request("traces", 2).SerializeToString()
    s = socket.create_connection(("127.0.0.1", gw.ports.http), timeout=5)
    try:
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                  + f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        interim = s.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100"), interim
        s.sendall(body)
        final = s.recv(4096)
        assert b"HTTP/1.1 200" in interim + final
    finally:
        s.close()
    s = socket.create_connection(("127.0.0.1", gw.ports.http), timeout=5)
    try:
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                  b"Content-Length: 999999999\r\nExpect: 100-continue\r\n\r\n")
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    finally:
        s.close()


# ------------------------------------------------------------------------------ connections


def test_5000_idle_connections_do_not_stop_the_listeners(gw):
    socks = []
    try:
        for i in range(5000):
            port = gw.ports.grpc if i % 2 else gw.ports.http
            s = socket.socket()
            s.setblocking(True)
            s.connect(("127.0.0.1", port))
            if i % 4 == 1:
                s.sendall(w.PREFACE)  # preface-only gRPC clients
            socks.append(s)
        gw.wait_for(lambda: gw.counter("otlp_gateway_receiver_open_connections", receiver="otlp") >= 5000,
                    timeout=30, what="5000 connections open")
        sdk_export_works(gw, "grpc")
        sdk_export_works(gw, "http")
        assert requests.get(gw.health_url, timeout=5).status_code == 200
        assert gw.alive()
        assert rss_mib(gw) < 400, f"RSS {rss_mib(gw):.0f} MiB with 5000 idle connections"
    finally:
        for s in socks:
            s.close()


def test_max_connections_refuses_cheaply(module_gateways):
    gw = module_gateways.start(grpc={"max_connections": 20}, http={"max_connections": 20})
    socks = []
    try:
        for _ in range(30):
            socks.append(socket.create_connection(("127.0.0.1", gw.ports.http), timeout=5))
        gw.settle(lambda: protections(gw, "http", "max_connections"), 10, what="10 refused connections")
        closed = 0
        for s in socks:
            s.settimeout(0.2)
            try:
                if s.recv(1) == b"":
                    closed += 1
            except socket.timeout:
                pass
        assert closed == 10
    finally:
        for s in socks:
            s.close()
    gw.wait_for(lambda: gw.counter("otlp_gateway_receiver_open_connections", receiver="otlp", transport="http") == 0,
                what="connections released")
    sdk_export_works(gw, "http")


def closed_within(s: socket.socket, seconds: float) -> bool:
    s.settimeout(seconds)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


@pytest.fixture(scope="module")
def gw_short(module_gateways):
    return module_gateways.start(
        grpc={"handshake_timeout": "1s", "stream_idle_timeout": "1s",
              "keepalive": {"server_parameters": {"max_connection_idle": "2s"}}},
        http={"read_header_timeout": "1s", "idle_timeout": "1s"})


def test_http_slowloris_and_idle_connections_are_closed(gw_short):
    gw = gw_short
    before = protections(gw, "http", "read_header_timeout")
    slow = socket.create_connection(("127.0.0.1", gw.ports.http))
    slow.sendall(b"POST /v1/traces HTTP/1.1\r\n")

    def trickle():
        try:
            for _ in range(20):
                time.sleep(0.2)
                slow.sendall(b"X-A: b\r\n")
        except OSError:
            pass

    threading.Thread(target=trickle, daemon=True).start()
    assert closed_within(slow, 4), "a trickling head must be closed by read_header_timeout"
    slow.close()
    assert protections(gw, "http", "read_header_timeout") >= before + 1
    idle = socket.create_connection(("127.0.0.1", gw.ports.http))
    assert closed_within(idle, 4), "a connection that sends nothing must be closed"
    idle.close()
    sdk_export_works(gw, "http")


def test_grpc_preface_and_idle_timeouts(gw_short):
    gw = gw_short
    silent = socket.create_connection(("127.0.0.1", gw.ports.grpc))
    assert closed_within(silent, 4), "no preface: closed after handshake_timeout"
    silent.close()
    before = protections(gw, "grpc", "idle_timeout")
    c = raw(gw)
    try:
        goaway = None
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            f = c.read_frame(deadline - time.monotonic())
            if f is None:
                break
            if isinstance(f, GoAwayFrame):
                goaway = f
        assert goaway is not None, "an idle connection gets GOAWAY after max_connection_idle"
    finally:
        c.close()
    assert protections(gw, "grpc", "idle_timeout") >= before + 1


def test_grpc_stream_whose_window_never_opens_is_reset(gw_short):
    gw = gw_short
    before = protections(gw, "grpc", "stream_idle_timeout")
    c = raw(gw, initial_window=0)
    try:
        c.send_headers(1, c.request_headers(GRPC_PATHS["traces"]))
        c.send_data(1, w.grpc_frame(build_request("traces", 1).SerializeToString()))
        r = c.response(1, timeout=6)
        assert r["reset"] is not None, r
    finally:
        c.close()
    assert protections(gw, "grpc", "stream_idle_timeout") >= before + 1


def cpu_seconds(gw) -> float:
    with open(f"/proc/{gw.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_low_open_files_limit_never_lets_connections_exhaust_descriptors(gateway_bin, tmp_path):
    """With a hard limit of 256 open files, max_connections is scaled down to fit it: 400 connections get the
    share of the limit and the rest are closed as accepted, so accept never fails for want of a descriptor
    (where SwiftNIO would retry it in a busy loop), the listeners stay idle, and serve again afterwards."""
    from gwhelpers import Gateway, Ports, gateway_config

    ports = Ports.allocate()
    wrapper = tmp_path / "gateway-with-few-fds"
    wrapper.write_text(f"#!/bin/bash\nulimit -n 256\nexec {gateway_bin} \"$@\"\n")
    wrapper.chmod(0o755)
    gw = Gateway(str(wrapper), tmp_path / "gw", gateway_config(ports), ports)
    try:
        gw.start()
        assert gw.stderr_text().count("max_connections lowered to fit the open-files limit") == 1
        socks = []
        try:
            for _ in range(400):
                socks.append(socket.create_connection(("127.0.0.1", ports.grpc), timeout=2))
            gw.wait_for(lambda: protections(gw, "grpc", "max_connections") >= 300, timeout=10,
                        what="connections over the scaled limit refused")
            before = cpu_seconds(gw)
            time.sleep(3)
            used = cpu_seconds(gw) - before
            assert used < 1.0, f"accept loop busy: {used:.2f} CPU-s in 3 s"
            assert "Too many open files" not in gw.stderr_text()
            assert requests.get(gw.health_url, timeout=5).status_code == 200
            assert gw.alive()
        finally:
            for s in socks:
                s.close()
        gw.wait_for(lambda: gw.counter("otlp_gateway_receiver_open_connections", receiver="otlp", transport="grpc") == 0,
                    timeout=10, what="connections released")
        sdk_export_works(gw, "grpc")
        rc, killed = gw.stop()
        assert (rc, killed) == (0, False)
    finally:
        gw.stop(signal.SIGKILL, timeout=5)
