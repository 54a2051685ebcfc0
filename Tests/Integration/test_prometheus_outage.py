"""Remote write across a Prometheus outage: the gateway retries (5xx/connection errors are
retryable), loses nothing, and after the restart Prometheus gets the new value without any
out-of-order or duplicate-sample rejection."""

from __future__ import annotations

import time

from promhelpers import (
    MetricPorts,
    Point,
    counter,
    gauge,
    metrics_gateway_config,
    metrics_request,
    remote_write_rejections,
    remote_write_request_codes,
    send_ok,
)

RESOURCE = {"service.name": "outage", "service.instance.id": "o-1"}
SEL = 'job="outage",instance="o-1"'
EXPORTER = {"exporter": "prometheusremotewrite"}
INTERVAL = 1.0


def test_remote_write_survives_prometheus_restart(prometheus, gateways):
    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(mp.base, prometheus, interval="1s"), ports=mp.base)
    start_ns = time.time_ns() - 10**9

    def send(value: int, temp: float) -> None:
        send_ok(gw, metrics_request([
            counter("jobs.completed", [Point(value, {"queue": "main"}, start_ns=start_ns)]),
            gauge("queue.temperature", [Point(temp, {"queue": "main"})], unit="Cel"),
        ], resource=RESOURCE))

    send(10, 1.5)
    prometheus.wait_value(f"jobs_completed_total{{{SEL}}}", 10, gw=gw)
    prometheus.wait_value(f"queue_temperature_celsius{{{SEL}}}", 1.5, gw=gw)
    before = remote_write_request_codes(prometheus)
    assert set(before) == {"204"}, before  # every write so far accepted

    prometheus.stop()
    stopped_at = time.time()
    retries0 = gw.counter("otlp_gateway_remote_write_requests_total", outcome="retry", **EXPORTER)
    send(100, 2.5)

    # More than 3 intervals pass with the endpoint down: the write of the new values is retried
    # (requests with outcome=retry grow), nothing is given up.
    gw.wait_for(lambda: gw.counter("otlp_gateway_remote_write_requests_total", outcome="retry", **EXPORTER)
                >= retries0 + 3, timeout=15, what="3 retried remote-write requests")
    while time.time() < stopped_at + 3.5 * INTERVAL:
        time.sleep(0.1)
    assert gw.counter("otlp_gateway_remote_write_samples_retried_total", **EXPORTER) > 0
    assert gw.counter("otlp_gateway_remote_write_samples_failed_total", **EXPORTER) == 0
    assert gw.counter("otlp_gateway_remote_write_requests_total", outcome="failure", **EXPORTER) == 0
    last_ok_before = gw.counter("otlp_gateway_remote_write_last_success_timestamp_seconds", **EXPORTER)
    assert 0 < last_ok_before <= stopped_at + 1

    prometheus.start()  # same port, same TSDB
    restarted_at = time.time()
    prometheus.wait_value(f"jobs_completed_total{{{SEL}}}", 100, timeout=15, gw=gw)
    prometheus.wait_value(f"queue_temperature_celsius{{{SEL}}}", 2.5, timeout=15, gw=gw)

    # The history kept both values in order: no reset, no lost first value.
    assert prometheus.value(f"resets(jobs_completed_total{{{SEL}}}[5m])") == 0
    assert prometheus.value(f"min_over_time(jobs_completed_total{{{SEL}}}[5m])") == 10
    assert prometheus.value(f"count(jobs_completed_total{{{SEL}}})") == 1

    # Let one more interval pass, so any late duplicate or out-of-order re-send shows up.
    time.sleep(1.5 * INTERVAL)
    assert gw.counter("otlp_gateway_remote_write_samples_failed_total", **EXPORTER) == 0
    assert gw.counter("otlp_gateway_remote_write_samples_dropped_total", **EXPORTER) == 0
    assert gw.counter("otlp_gateway_remote_write_requests_total", outcome="failure", **EXPORTER) == 0
    assert gw.counter("otlp_gateway_remote_write_last_success_timestamp_seconds", **EXPORTER) >= int(restarted_at)
    assert gw.counter("otlp_gateway_remote_write_queue_length", **EXPORTER) == 0
    assert gw.counter("otlp_gateway_metric_store_out_of_order_points_total") == 0
    codes = remote_write_request_codes(prometheus)
    assert codes.get("204", 0) >= 1 and set(codes) == {"204"}, codes  # no 400 (out of order/duplicate)
    rejected = remote_write_rejections(prometheus)
    assert all(v == 0 for v in rejected.values()), rejected
