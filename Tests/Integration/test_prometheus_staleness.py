"""Ending series: after stale_after without data, and on OTLP's "no recorded value" flag, the
gateway writes Prometheus' stale marker, so an instant query at `now` no longer returns the series
(rather than repeating the last value for the 5-minute lookback)."""

from __future__ import annotations

import time

from promhelpers import (
    NO_RECORDED_VALUE,
    MetricPorts,
    Point,
    gauge,
    metrics_gateway_config,
    metrics_request,
    pull_text,
    send_ok,
)
from gwhelpers import parse_prometheus_text

RESOURCE = {"service.name": "stale", "service.instance.id": "s-1"}
STALE_AFTER = 2.0


def pull_names(port: int) -> set[str]:
    return {name for name, _ in parse_prometheus_text(pull_text(port))}


def test_series_without_data_for_stale_after_ends(prometheus, gateways):
    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(
        mp.base, prometheus, pull_port=mp.pull, interval="1s",
        prw={"stale_after": "2s"}, pull={"metric_expiration": "2s"}), ports=mp.base)

    def send(*metrics):
        send_ok(gw, metrics_request(list(metrics), resource=RESOURCE))

    sent_at = time.time()
    send(gauge("itest.once", [Point(7, {"k": "v"})]), gauge("itest.alive", [Point(1, {"k": "v"})]))
    prometheus.wait_value('itest_once{job="stale"}', 7, gw=gw)
    assert {"itest_once", "itest_alive"} <= pull_names(mp.pull)

    # Keep itest.alive fed; itest.once gets nothing more and must end after stale_after.
    deadline = time.monotonic() + 10
    n = 1
    gone_at = None
    while time.monotonic() < deadline:
        n += 1
        send(gauge("itest.alive", [Point(n, {"k": "v"})]))
        if prometheus.query('itest_once{job="stale"}') == []:
            gone_at = time.time()
            break
        time.sleep(0.3)
    assert gone_at is not None, "itest_once still returned at now 10 s after its only point\n" + gw.logs_tail()
    assert gone_at - sent_at >= STALE_AFTER - 0.5, f"ended after {gone_at - sent_at:.2f}s, before stale_after"

    # Ended by a stale marker, not lost: the sample is still in the TSDB.
    assert prometheus.value('last_over_time(itest_once{job="stale"}[1m])') == 7
    # The fed series is unaffected.
    assert (prometheus.value('itest_alive{job="stale"}') or 0) >= 2
    # The pull endpoint stops serving it too, and keeps the fed one.
    gw.wait_for(lambda: "itest_once" not in pull_names(mp.pull), timeout=5, what="itest_once gone from /metrics")
    assert "itest_alive" in pull_names(mp.pull)


def test_no_recorded_value_flag_ends_series(prometheus, gateways):
    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(mp.base, prometheus, interval="1s"), ports=mp.base)

    t1 = time.time_ns()
    send_ok(gw, metrics_request([gauge("itest.flagged", [Point(3, {"k": "ended"}, time_ns=t1),
                                                         Point(4, {"k": "kept"}, time_ns=t1)])],
                                resource=RESOURCE))
    prometheus.wait_for('itest_flagged{job="stale"}', lambda r: {s.labels["k"]: s.value for s in r} ==
                        {"ended": 3, "kept": 4}, gw=gw, what="both itest_flagged series")

    # The same series again, later, with no value and flags = NO_RECORDED_VALUE.
    send_ok(gw, metrics_request([gauge("itest.flagged", [Point(None, {"k": "ended"}, time_ns=time.time_ns(),
                                                               flags=NO_RECORDED_VALUE)])],
                                resource=RESOURCE))
    prometheus.wait_for('itest_flagged{job="stale",k="ended"}', lambda r: r == [], timeout=5, gw=gw,
                        what="itest_flagged{k=ended} ended by a stale marker")
    assert prometheus.value('last_over_time(itest_flagged{job="stale",k="ended"}[1m])') == 3
    assert prometheus.value('itest_flagged{job="stale",k="kept"}') == 4
    assert gw.counter("otlp_gateway_remote_write_samples_failed_total") == 0
