"""TLS and authentication on the `otlp` receiver's listeners, with the real OpenTelemetry Python SDK
exporters as clients and certificates made by openssl at test time (tlshelpers):

- gRPC over TLS (ALPN h2, grpc.ssl_channel_credentials) and OTLP/HTTP over https (certificate_file),
  with a bearer token from `bearertokenauth`: every span arrives exactly once.
- Mutual TLS (`client_ca_file`): a client certificate is required; without one the handshake fails
  and is counted.
- A wrong or missing token: gRPC UNAUTHENTICATED, HTTP 401 with WWW-Authenticate; nothing enters the
  pipeline and the refusals are counted.
- A plaintext client against a TLS port fails its handshake, is counted, and the gateway keeps serving.
- `basicauth` with htpasswd inline on the HTTP listener.
- Gateway to gateway: our `otlp` exporter (tls.ca_file, bearertokenauth) into a TLS+auth receiver.
- A missing cert_file stops the gateway at start, naming the YAML key and the file.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import urllib.error
import urllib.request

import grpc
import pytest
from opentelemetry.sdk.trace.export import SpanExportResult

import tlshelpers
from gwhelpers import Ports, build_request, gateway_config, run_cli, to_yaml
from test_sdk_traces import N_SPANS, emit_spans

TOKEN = "s3cret-token-0123456789"
TRACE_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


@pytest.fixture(autouse=True)
def no_ca_bundle_override(monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE win over the session's `verify`, which is where the
    HTTP exporter puts certificate_file; a machine that sets them would make the exporter distrust our CA."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> tlshelpers.PKI:
    return tlshelpers.make_pki(tmp_path_factory.mktemp("pki"))


def secure_config(ports: Ports, pki, *, mtls: bool = False, grpc_auth: str | None = "bearertokenauth/in",
                  http_auth: str | None = "bearertokenauth/in") -> dict:
    tls = {"cert_file": pki.server.cert, "key_file": pki.server.key}
    if mtls:
        tls["client_ca_file"] = pki.ca
    grpc_settings: dict = {"tls": dict(tls)}
    http_settings: dict = {"tls": dict(tls)}
    if grpc_auth:
        grpc_settings["auth"] = {"authenticator": grpc_auth}
    if http_auth:
        http_settings["auth"] = {"authenticator": http_auth}
    cfg = gateway_config(ports, grpc=grpc_settings, http=http_settings)
    cfg["extensions"]["bearertokenauth/in"] = {"token": TOKEN}
    cfg["extensions"]["basicauth/users"] = {"htpasswd": {"inline": "alice:wonder land\nbob:builder"}}
    cfg["service"]["extensions"] += ["bearertokenauth/in", "basicauth/users"]
    return cfg


def grpc_credentials(pki, *, client: bool = False):
    root = open(pki.ca, "rb").read()
    if not client:
        return grpc.ssl_channel_credentials(root_certificates=root)
    return grpc.ssl_channel_credentials(root_certificates=root, private_key=open(pki.client.key, "rb").read(),
                                        certificate_chain=open(pki.client.cert, "rb").read())


def grpc_exporter(gw, pki, *, token: str | None = TOKEN, client: bool = False):
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    headers = {"authorization": f"Bearer {token}"} if token else None
    return OTLPSpanExporter(endpoint=f"https://{gw.grpc_target}", insecure=False, timeout=10,
                            credentials=grpc_credentials(pki, client=client), headers=headers)


def http_exporter(gw, pki, *, token: str | None = TOKEN, client: bool = False):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    headers = {"authorization": f"Bearer {token}"} if token else None
    extra = {"client_certificate_file": pki.client.cert, "client_key_file": pki.client.key} if client else {}
    return OTLPSpanExporter(endpoint=f"https://127.0.0.1:{gw.ports.http}/v1/traces", certificate_file=pki.ca,
                            headers=headers, timeout=10, **extra)


def make_exporter(transport, gw, pki, **kwargs):
    return (grpc_exporter if transport == "grpc" else http_exporter)(gw, pki, **kwargs)


def https_post(gw, pki, body: bytes, headers: dict) -> tuple[int, dict, bytes]:
    ctx = ssl.create_default_context(cafile=pki.ca)
    req = urllib.request.Request(f"https://127.0.0.1:{gw.ports.http}/v1/traces", data=body, method="POST",
                                 headers={"Content-Type": "application/x-protobuf", **headers})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def grpc_export(gw, pki, metadata, *, client: bool = False):
    """One raw trace Export call over TLS; returns the grpc.StatusCode."""
    with grpc.secure_channel(gw.grpc_target, grpc_credentials(pki, client=client)) as channel:
        call = channel.unary_unary(TRACE_PATH)
        try:
            call(payload(3), metadata=metadata, timeout=10)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as e:
            return e.code(), e.details()


def payload(n_spans: int) -> bytes:
    return build_request("traces", n_spans).SerializeToString()


def assert_spans_arrived(gw, transport: str, n: int = N_SPANS):
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", n, receiver="otlp", transport=transport) == n
    assert gw.settle_debug("traces", "spans", n) == n


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_spans_arrive_over_tls_with_a_bearer_token(gateways, pki, transport):
    gw = gateways.start(lambda ports: secure_config(ports, pki))
    rec, _ = emit_spans(make_exporter(transport, gw, pki))
    assert rec.results and all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    assert rec.exported == N_SPANS
    assert_spans_arrived(gw, transport)
    assert gw.counter("otlp_gateway_receiver_auth_failures_total", receiver="otlp") == 0
    assert gw.counter("otlp_gateway_receiver_tls_handshake_failures_total", receiver="otlp") == 0


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_mutual_tls_requires_a_client_certificate(gateways, pki, transport):
    gw = gateways.start(lambda ports: secure_config(ports, pki, mtls=True))
    rec, _ = emit_spans(make_exporter(transport, gw, pki, client=True))
    assert all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    assert_spans_arrived(gw, transport)

    # Without a client certificate: refused in the handshake (TLS 1.3 may report it on first read).
    if transport == "grpc":
        code, _ = grpc_export(gw, pki, [("authorization", f"Bearer {TOKEN}")])
        assert code == grpc.StatusCode.UNAVAILABLE, code
    else:
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            https_post(gw, pki, payload(3), {"Authorization": f"Bearer {TOKEN}"})
    assert gw.settle_counter("otlp_gateway_receiver_tls_handshake_failures_total", 1, receiver="otlp",
                             transport=transport) >= 1
    assert gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp") == N_SPANS


@pytest.mark.parametrize("transport", ["grpc", "http"])
@pytest.mark.parametrize("token", ["wrong-token", None], ids=["wrong", "missing"])
def test_sdk_exporter_with_a_bad_token_is_refused(gateways, pki, transport, token):
    gw = gateways.start(lambda ports: secure_config(ports, pki))
    rec, _ = emit_spans(make_exporter(transport, gw, pki, token=token))
    assert rec.results and all(r == SpanExportResult.FAILURE for r in rec.results), rec.results
    assert gw.settle_counter("otlp_gateway_receiver_auth_failures_total", 1, receiver="otlp",
                             transport=transport) >= 1
    assert gw.counter("otelcol_receiver_requests_total", receiver="otlp", transport=transport,
                      outcome="failure") >= 1
    assert gw.counter("otelcol_receiver_accepted_spans_total", receiver="otlp") == 0
    assert gw.debug_total("traces", "spans") == 0


def test_status_codes_for_unauthenticated_requests(gateways, pki):
    gw = gateways.start(lambda ports: secure_config(ports, pki))
    code, details = grpc_export(gw, pki, [("authorization", "Bearer nope")])
    assert code == grpc.StatusCode.UNAUTHENTICATED, (code, details)
    assert "invalid credentials" in details
    code, details = grpc_export(gw, pki, None)
    assert code == grpc.StatusCode.UNAUTHENTICATED and "missing Authorization header" in details, details
    assert grpc_export(gw, pki, [("authorization", f"Bearer {TOKEN}")])[0] == grpc.StatusCode.OK
    # The scheme is case-insensitive; the token is not.
    assert grpc_export(gw, pki, [("authorization", f"bearer {TOKEN}")])[0] == grpc.StatusCode.OK
    assert grpc_export(gw, pki, [("authorization", f"Bearer {TOKEN.upper()}")])[0] == grpc.StatusCode.UNAUTHENTICATED

    # HTTP: 401 with a challenge, even for a large body, which is dropped unread.
    status, headers, body = https_post(gw, pki, b"\0" * (8 << 20), {"Authorization": "Bearer nope"})
    assert status == 401, (status, body)
    assert headers.get("WWW-Authenticate") == "Bearer", headers
    assert b"invalid credentials" in body
    status, headers, _ = https_post(gw, pki, payload(2), {})
    assert status == 401 and headers.get("WWW-Authenticate") == "Bearer"
    status, _, _ = https_post(gw, pki, payload(2), {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    # Two gRPC calls of 3 spans and one HTTP post of 2 got through.
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", 8, receiver="otlp") == 8
    assert gw.counter("otlp_gateway_receiver_auth_failures_total", receiver="otlp", transport="grpc") == 3
    assert gw.counter("otlp_gateway_receiver_auth_failures_total", receiver="otlp", transport="http") == 2


def test_basic_auth_with_inline_htpasswd(gateways, pki):
    gw = gateways.start(lambda ports: secure_config(ports, pki, http_auth="basicauth/users"))

    def basic(user, password):
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    status, headers, _ = https_post(gw, pki, payload(2), basic("alice", "wrong"))
    assert status == 401 and headers.get("WWW-Authenticate", "").startswith("Basic realm="), headers
    assert https_post(gw, pki, payload(2), basic("alice", "wonder land"))[0] == 200
    assert https_post(gw, pki, payload(3), basic("bob", "builder"))[0] == 200
    assert https_post(gw, pki, payload(3), {"Authorization": f"Bearer {TOKEN}"})[0] == 401
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", 5, receiver="otlp") == 5


def test_plaintext_clients_fail_and_the_gateway_keeps_serving(gateways, pki):
    gw = gateways.start(lambda ports: secure_config(ports, pki))
    # Plain HTTP/1.1 against the https port: no HTTP answer, the connection is closed.
    with socket.create_connection(("127.0.0.1", gw.ports.http), timeout=10) as s:
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        reply = b""
        try:
            while chunk := s.recv(4096):
                reply += chunk
        except ConnectionResetError:
            pass
        assert not reply.startswith(b"HTTP/"), reply
    # An insecure gRPC channel against the TLS port.
    with grpc.insecure_channel(gw.grpc_target) as channel:
        with pytest.raises(grpc.RpcError) as err:
            channel.unary_unary(TRACE_PATH)(payload(1), timeout=5)
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    for transport in ("grpc", "http"):
        assert gw.settle_counter("otlp_gateway_receiver_tls_handshake_failures_total", 1, receiver="otlp",
                                 transport=transport) >= 1
    assert gw.alive()
    # TLS clients are still served.
    rec, _ = emit_spans(grpc_exporter(gw, pki))
    assert all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    rec, _ = emit_spans(http_exporter(gw, pki))
    assert all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", 2 * N_SPANS, receiver="otlp") == 2 * N_SPANS


def test_gateway_to_gateway_over_tls_with_a_bearer_token(gateways, pki):
    inner = gateways.start(lambda ports: secure_config(ports, pki))

    def edge(ports):
        cfg = gateway_config(ports, exporters={
            "otlp": {"endpoint": inner.grpc_target, "tls": {"ca_file": pki.ca},
                     "auth": {"authenticator": "bearertokenauth/out"},
                     "retry_on_failure": {"enabled": False}},
        })
        cfg["extensions"]["bearertokenauth/out"] = {"token": TOKEN}
        cfg["service"]["extensions"].append("bearertokenauth/out")
        cfg["service"]["pipelines"] = {"traces": cfg["service"]["pipelines"]["traces"]}
        return cfg

    outer = gateways.start(edge)
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    rec, _ = emit_spans(OTLPSpanExporter(endpoint=outer.grpc_target, insecure=True, timeout=10))
    assert all(r == SpanExportResult.SUCCESS for r in rec.results), rec.results
    assert outer.settle_counter("otelcol_exporter_sent_spans_total", N_SPANS, exporter="otlp") == N_SPANS
    assert_spans_arrived(inner, "grpc")
    assert inner.counter("otlp_gateway_receiver_auth_failures_total", receiver="otlp") == 0


@pytest.mark.parametrize("key", ["cert_file", "key_file", "client_ca_file"])
def test_a_missing_certificate_file_stops_the_gateway_at_start(gateway_bin, tmp_path, pki, key):
    missing = tmp_path / "nowhere" / "file.pem"
    cfg = secure_config(Ports.allocate(), pki, mtls=True)
    cfg["receivers"]["otlp"]["protocols"]["http"]["tls"][key] = str(missing)
    config = tmp_path / "collector.yaml"
    config.write_text(to_yaml(cfg))
    res = run_cli(gateway_bin, "--config", str(config))
    assert res.returncode != 0, res
    out = res.stdout + res.stderr
    want = f"receivers.otlp.protocols.http.tls.{key}: cannot open {missing}: No such file or directory"
    assert want in out, out


def https_get(url: str, pki) -> tuple[int, bytes]:
    ctx = ssl.create_default_context(cafile=pki.ca)
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def plain_get_fails(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5).read()
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
        return True
    return False


def test_prometheus_exporter_and_health_check_serve_https(gateways, pki):
    from gwhelpers import free_ports, http_post, metrics_request

    prom_port, health_port = free_ports(2)
    tls = {"cert_file": pki.server.cert, "key_file": pki.server.key}

    def config(ports):
        cfg = gateway_config(
            ports,
            exporters={"prometheus": {"endpoint": f"127.0.0.1:{prom_port}", "tls": tls}},
            pipelines={"metrics": {"receivers": ["otlp"], "processors": [], "exporters": ["prometheus"]}},
            processors={},
        )
        # The plain health_check stays for the harness's readiness probe.
        cfg["extensions"]["health_check/secure"] = {"endpoint": f"127.0.0.1:{health_port}", "tls": tls}
        cfg["service"]["extensions"].append("health_check/secure")
        return cfg

    gw = gateways.start(config)
    r = http_post(gw.http_url("/v1/metrics"), metrics_request(3, name="tls.gauge").SerializeToString())
    assert r.status_code == 200, r.text
    status, body = https_get(f"https://127.0.0.1:{prom_port}/metrics", pki)
    assert status == 200 and b"tls_gauge" in body, body[:500]
    assert plain_get_fails(f"http://127.0.0.1:{prom_port}/metrics")
    status, body = https_get(f"https://127.0.0.1:{health_port}/", pki)
    assert status == 200 and b"Server available" in body, body
    assert plain_get_fails(f"http://127.0.0.1:{health_port}/")
    assert gw.alive()


def test_memory_exporter_serves_https(gateways, pki):
    from gwhelpers import free_ports

    (api_port,) = free_ports(1)
    tls = {"cert_file": pki.server.cert, "key_file": pki.server.key}

    def config(ports):
        return gateway_config(
            ports,
            exporters={"memory": {"endpoint": f"127.0.0.1:{api_port}", "tls": tls}},
            pipelines={"traces": {"receivers": ["otlp"], "processors": [], "exporters": ["memory"]}},
            processors={},
        )

    gw = gateways.start(config)
    status, body = https_get(f"https://127.0.0.1:{api_port}/api/search?limit=1", pki)
    assert status == 200 and b"traces" in body, body[:300]
    assert plain_get_fails(f"http://127.0.0.1:{api_port}/api/search")
    assert gw.alive()


def test_self_telemetry_serves_https(gateway_bin, pki, tmp_path):
    """Started by hand: the harness's readiness probe reads self-telemetry over plain http."""
    import json
    import subprocess
    import time

    from gwhelpers import Ports

    ports = Ports.allocate()
    cfg = gateway_config(ports)
    cfg["service"]["telemetry"]["metrics"]["tls"] = {"cert_file": pki.server.cert, "key_file": pki.server.key}
    path = tmp_path / "collector.yaml"
    path.write_text(json.dumps(cfg))  # JSON is YAML
    proc = subprocess.Popen([gateway_bin, "--config", str(path)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"https://127.0.0.1:{ports.telemetry}/metrics"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = https_get(url, pki)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode(errors="replace")
                assert time.monotonic() < deadline, "self-telemetry not served over https within 30 s"
                time.sleep(0.1)
        assert status == 200 and b"otelcol_process_uptime_seconds_total" in body, body[:300]
        assert plain_get_fails(f"http://127.0.0.1:{ports.telemetry}/metrics")
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=15)
