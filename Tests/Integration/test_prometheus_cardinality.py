"""max_series_per_metric: new series beyond the limit are refused. Without a batch processor the
OTLP client learns it from partial_success; the self-metrics count it; Prometheus gets exactly the
accepted series."""

from __future__ import annotations

import time

from promhelpers import (
    MetricPorts,
    Point,
    gauge,
    metrics_gateway_config,
    metrics_request,
    send_metrics_http,
)

LIMIT = 5
RESOURCE = {"service.name": "card", "service.instance.id": "c-1"}
NAME = "itest_cardinality_ratio"  # gauge `itest.cardinality`, unit 1


def request(points: dict[int, int]):
    """One gauge, one data point per attribute i, valued points[i]."""
    return metrics_request([gauge("itest.cardinality", [Point(v, {"i": i}) for i, v in points.items()], unit="1")],
                           resource=RESOURCE)


def test_series_over_limit_are_refused_and_reported(prometheus, gateways):
    mp = MetricPorts.allocate()
    cfg = metrics_gateway_config(mp.base, prometheus, batch=False, prw={"max_series_per_metric": LIMIT})
    assert "processors" not in cfg and cfg["service"]["pipelines"]["metrics"]["processors"] == []
    gw = gateways.start(cfg, ports=mp.base)

    status, resp = send_metrics_http(gw, request({i: i for i in range(8)}))
    assert status == 200
    assert resp is not None and resp.HasField("partial_success"), resp
    assert resp.partial_success.rejected_data_points == 8 - LIMIT
    assert "max_series_per_metric" in resp.partial_success.error_message, resp.partial_success.error_message

    assert gw.settle_counter("otlp_gateway_metric_store_refused_points_total", 3) == 3
    assert gw.settle_counter("otelcol_receiver_refused_metric_points_total", 3, receiver="otlp") == 3
    assert gw.settle_counter("otelcol_receiver_accepted_metric_points_total", LIMIT, receiver="otlp") == LIMIT

    def five(res):
        return len(res) == LIMIT and all(s.value == float(s.labels["i"]) for s in res)

    res = prometheus.wait_for(f'{NAME}{{job="card"}}', five, gw=gw, what=f"{LIMIT} series with value == i")
    accepted = sorted(s.labels["i"] for s in res)

    # Existing series still take new values at the limit; one more new series is refused.
    status, resp = send_metrics_http(gw, request({**{int(i): 100 + int(i) for i in accepted}, 9: 9}))
    assert status == 200 and resp is not None
    assert resp.partial_success.rejected_data_points == 1, resp
    assert "max_series_per_metric" in resp.partial_success.error_message
    prometheus.wait_for(f'{NAME}{{job="card"}}',
                        lambda r: len(r) == LIMIT and all(s.value == 100 + float(s.labels["i"]) for s in r),
                        gw=gw, what="the accepted series updated to 100 + i")
    assert gw.settle_counter("otlp_gateway_metric_store_refused_points_total", 4) == 4
    assert gw.counter("otelcol_receiver_refused_metric_points_total", receiver="otlp") == 4
    assert gw.counter("otelcol_receiver_accepted_metric_points_total", receiver="otlp") == 2 * LIMIT

    time.sleep(1.5)  # one more write interval: no refused series may show up late
    assert sorted(s["i"] for s in prometheus.series(NAME)) == accepted
    assert gw.counter("otlp_gateway_remote_write_samples_failed_total") == 0
