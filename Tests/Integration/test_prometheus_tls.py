"""Remote write over https to a real Prometheus serving TLS (`--web.config.file` with
`tls_server_config`), verified with the exporter's `tls.ca_file`; Prometheus is queried over https
against the same CA. Certificates are made by openssl at test time."""

from __future__ import annotations

import pytest

import tlshelpers
from promhelpers import MetricPorts, Point, gauge, metrics_gateway_config, metrics_request, send_ok


@pytest.fixture
def pki(tmp_path) -> tlshelpers.PKI:
    return tlshelpers.make_pki(tmp_path / "pki")


def test_remote_write_over_https_verified_with_ca_file(prometheus_servers, gateways, pki):
    prom = prometheus_servers.start(tls=(pki.server.cert, pki.server.key, pki.ca))
    assert prom.remote_write_url.startswith("https://127.0.0.1:")
    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(mp.base, prom, prw={"tls": {"ca_file": pki.ca}}), ports=mp.base)

    send_ok(gw, metrics_request([gauge("itest.tls.gauge", [Point(42.5, {"k": "v"})])],
                                resource={"service.name": "tls-test"}))
    res = prom.wait_for('itest_tls_gauge{job="tls-test"}', lambda r: len(r) == 1, 15, gw=gw)
    assert res[0].value == 42.5
    assert res[0].labels["k"] == "v" and res[0].labels["cluster"] == "test"
    assert gw.counter("otlp_gateway_remote_write_requests_total", exporter="prometheusremotewrite",
                      outcome="failure") == 0
    assert gw.counter("otlp_gateway_remote_write_samples_failed_total", exporter="prometheusremotewrite") == 0
