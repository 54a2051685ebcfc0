"""Traces over TLS: the Python SDK -> gateway -> its `otlp` exporter (gRPC over TLS, ALPN h2) and its
`otlphttp` exporter (https://) -> Python OTLP receivers built from opentelemetry-proto's stubs and
serving TLS (grpc.ssl_server_credentials; http.server wrapped in ssl.SSLContext), with certificates
made by openssl at test time.

- Verified against `tls.ca_file`: every span arrives once, unchanged.
- Mutual TLS: the receivers require a client certificate; the exporters send `cert_file`/`key_file`.
- No `ca_file` (the system's roots) against the self-signed server: nothing arrives, the retries and
  failures are counted, and the log says the certificate failed verification.
- A CA file that does not exist stops the gateway at start, naming the exporter and the file.
"""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export import SpanExportResult

import tlshelpers
import tracehelpers as th
from gwhelpers import Ports, run_cli, to_yaml


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> tlshelpers.PKI:
    return tlshelpers.make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def receivers(request):
    """Starts TLS receivers (gRPC and HTTP) from (grpc tls tuple, ssl context) and stops them."""
    started = []

    def start(grpc_tls, http_tls):
        g = th.GRPCTraceReceiver(tls=grpc_tls).start()
        started.append(g)
        h = th.HTTPTraceReceiver(tls=http_tls).start()
        started.append(h)
        return g, h

    yield start
    for rx in started:
        rx.stop()


def context(gw):
    return lambda: gw.logs_tail()


def run_workload(gateways, exporters: dict):
    ports = Ports.allocate()
    gw = gateways.start(th.traces_gateway_config(ports, exporters), ports=ports)
    w = th.emit_workload(th.sdk_grpc_exporter(gw.grpc_target))
    assert w.recorder.results and all(r == SpanExportResult.SUCCESS for r in w.recorder.results), w.recorder.results
    n = len(w.expected)
    assert gw.settle_counter("otelcol_receiver_accepted_spans_total", n, receiver="otlp") == n
    return gw, w, n


def assert_every_span_once(gw, w, n, grpc_rx, http_rx, names):
    th.wait_until(lambda: len(grpc_rx.accepted_spans()) >= n, 15, "spans at the gRPC TLS receiver", context(gw))
    th.wait_until(lambda: http_rx.span_count() >= n, 15, "spans at the HTTPS receiver", context(gw))
    for exp in names:
        assert gw.settle_counter("otelcol_exporter_sent_spans_total", n, exporter=exp) == n, exp
        assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter=exp) == 0, exp
        assert gw.counter("otlp_gateway_exporter_retries_total", exporter=exp) == 0, exp
    problems = th.compare_spans(grpc_rx.accepted_spans(), w.expected, "gRPC TLS receiver")
    problems += th.compare_spans(http_rx.accepted_spans(), w.expected, "HTTPS receiver")
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_spans_arrive_once_over_tls_verified_with_ca_file(gateways, receivers, pki, host):
    grpc_rx, http_rx = receivers((pki.server.cert, pki.server.key, None), pki.server_context())
    exporters = {
        # 127.0.0.1: no SNI, the certificate's IP entry is verified; localhost: SNI and the DNS entry.
        "otlp/tls": th.otlp_exporter(f"{host}:{grpc_rx.port}", tls={"ca_file": pki.ca}),
        "otlphttp/tls": th.otlphttp_exporter(f"https://{host}:{http_rx.port}", tls={"ca_file": pki.ca}),
    }
    gw, w, n = run_workload(gateways, exporters)
    assert_every_span_once(gw, w, n, grpc_rx, http_rx, exporters)
    # Host and :authority name what was connected to.
    assert {c.metadata.get("x-scope-orgid") for c in grpc_rx.snapshot()} == {"t1"}
    assert {r.headers.get("host") for r in http_rx.snapshot()} == {f"{host}:{http_rx.port}"}


def test_mutual_tls(gateways, receivers, pki):
    grpc_rx, http_rx = receivers((pki.server.cert, pki.server.key, pki.ca), pki.server_context(client_ca=pki.ca))
    client = {"ca_file": pki.ca, "cert_file": pki.client.cert, "key_file": pki.client.key}
    exporters = {
        "otlp/mtls": th.otlp_exporter(grpc_rx.target, tls=client),
        "otlphttp/mtls": th.otlphttp_exporter(http_rx.endpoint, tls=client),
    }
    gw, w, n = run_workload(gateways, exporters)
    assert_every_span_once(gw, w, n, grpc_rx, http_rx, exporters)
    # The receivers saw our client certificate.
    assert {tuple(c.auth.get("x509_common_name", [])) for c in grpc_rx.snapshot()} == {(b"test client",)}
    subjects = {dict(x[0] for x in r.peer_cert["subject"])["commonName"] for r in http_rx.snapshot()}
    assert subjects == {"test client"}


def test_untrusted_server_certificate_is_refused_counted_and_logged(gateways, receivers, pki):
    grpc_rx, http_rx = receivers((pki.server.cert, pki.server.key, None), pki.server_context())
    retry = {"enabled": True, "initial_interval": "100ms", "max_interval": "200ms", "max_elapsed_time": "1s"}
    # No ca_file: the system's trust roots, which do not include the test CA.
    exporters = {
        "otlp/untrusted": th.otlp_exporter(grpc_rx.target, tls={}, retry_on_failure=retry),
        "otlphttp/untrusted": th.otlphttp_exporter(http_rx.endpoint, retry_on_failure=retry),
    }
    gw, w, n = run_workload(gateways, exporters)
    for exp in exporters:
        # Retried on a new connection each time, then given up and counted.
        gw.wait_for(lambda: gw.counter("otelcol_exporter_send_failed_spans_total", exporter=exp) >= n, 15,
                    f"{exp} to count its failed spans")
        assert gw.counter("otelcol_exporter_send_failed_spans_total", exporter=exp) == n, exp
        assert gw.counter("otelcol_exporter_sent_spans_total", exporter=exp) == 0, exp
        assert gw.counter("otlp_gateway_exporter_retries_total", exporter=exp) >= 1, exp
    assert grpc_rx.attempts() == 0
    assert http_rx.snapshot() == []
    logs = gw.stderr_text()
    for port in (grpc_rx.port, http_rx.port):
        want = f"TLS handshake with 127.0.0.1:{port} failed: certificate verify failed"
        assert want in logs, f"{want!r} not in the log\n{gw.logs_tail()}"


def test_missing_ca_file_stops_the_gateway_at_start(gateway_bin, tmp_path):
    missing = tmp_path / "nowhere" / "ca.pem"
    exporters = {"otlp/tempo": th.otlp_exporter("127.0.0.1:4317", tls={"ca_file": str(missing)})}
    config = tmp_path / "collector.yaml"
    config.write_text(to_yaml(th.traces_gateway_config(Ports.allocate(), exporters)))
    res = run_cli(gateway_bin, "--config", str(config))
    assert res.returncode != 0, res
    out = res.stdout + res.stderr
    want = f"exporters.otlp/tempo.tls.ca_file: cannot open {missing}: No such file or directory"
    assert want in out, out
