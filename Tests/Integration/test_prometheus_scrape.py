"""The pull endpoint (`prometheus` exporter, GET /metrics): Prometheus scrapes it and must see the
same values as those the `prometheusremotewrite` exporter writes; and its text passes
`promtool check metrics`."""

from __future__ import annotations

import os
import subprocess

import pytest

from promhelpers import (
    PROMTOOL_BIN,
    InferenceWorkload,
    MetricPorts,
    by_labels,
    check_workload_values,
    engine_resource,
    eventually,
    expected_after,
    families,
    metrics_gateway_config,
    pull_text,
    sdk_exporter,
)
from gwhelpers import parse_prometheus_text

# Series compared between the two paths: everything the text format can carry (the native
# histogram prompt_tokens has no text-format form).
COMPARED = [
    "decode_tokens_processed_total",
    "active_requests",
    "gpu_cache_usage_ratio",
    "ttft_milliseconds_bucket",
    "ttft_milliseconds_sum",
    "ttft_milliseconds_count",
    "batch_fill_percentage_percent_bucket",
    "target_info",
]


def scrape_job(target: str) -> dict:
    # honor_labels: job/instance come from the exposition, as for the remote-written series. The
    # `source` label tells the scraped copy apart (remote-written series have none).
    return {
        "job_name": "gateway-pull",
        "honor_labels": True,
        "scrape_interval": "1s",
        "scrape_timeout": "1s",
        "static_configs": [{"targets": [target]}],
        "metric_relabel_configs": [{"target_label": "source", "replacement": "scrape"}],
    }


def test_scraped_values_equal_remote_written(prometheus_servers, gateways):
    mp = MetricPorts.allocate()
    prom = prometheus_servers.start(scrape_configs=[scrape_job(mp.pull_target)])
    gw = gateways.start(metrics_gateway_config(mp.base, prom, pull_port=mp.pull), ports=mp.base)
    job = "inference/engine-scraped"
    context = lambda: prom.logs_tail() + "\n" + gw.logs_tail()  # noqa: E731

    work = InferenceWorkload(sdk_exporter(gw, "grpc"), engine_resource("engine-scraped"))
    try:
        work.record_round()
        work.record_round()
    finally:
        work.shutdown()
    exp = expected_after(2)

    # Both copies reach the exact expected values...
    eventually(lambda c: check_workload_values(c, prom, f'job="{job}",source=""', exp), 10, context)
    eventually(lambda c: check_workload_values(c, prom, f'job="{job}",source="scrape"', exp, native=False), 10,
               context)

    # ...and are the same series: same label sets (but for `source`, and the remote-write-only
    # external label `cluster`) with the same values.
    for name in COMPARED:
        written = prom.query(f'{name}{{job="{job}",source=""}}')
        scraped = prom.query(f'{name}{{job="{job}",source="scrape"}}')
        assert written and all(s.labels.get("cluster") == "test" for s in written), (name, written)
        assert by_labels(scraped, "source", "cluster") == by_labels(written, "cluster"), name

    up = prom.query('up{job="gateway-pull"}')
    assert [s.value for s in up] == [1.0], up


def test_pull_endpoint_passes_promtool(gateways):
    """Only names without non-base units (promtool's lint flags milliseconds): no unit, By -> bytes,
    s -> seconds, 1 -> ratio. One instrument has no description: its family still needs a HELP."""
    from opentelemetry.metrics import CallbackOptions, Observation
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
    from opentelemetry.sdk.resources import Resource

    mp = MetricPorts.allocate()
    gw = gateways.start(metrics_gateway_config(mp.base, None, pull_port=mp.pull), ports=mp.base)
    reader = PeriodicExportingMetricReader(sdk_exporter(gw, "http"), export_interval_millis=500)
    provider = MeterProvider(
        metric_readers=[reader],
        resource=Resource.create(engine_resource("lint")),
        views=[View(instrument_name="request.duration",
                    aggregation=ExplicitBucketHistogramAggregation(boundaries=[0.005, 0.1, 1.0]))],
    )
    meter = provider.get_meter("lint.scope", "1.0")
    meter.create_counter("requests.handled", description="Requests handled.").add(3, {"route": "/a"})
    meter.create_up_down_counter("queue.size", unit="By").add(4096, {"queue": "q1"})  # no description
    h = meter.create_histogram("request.duration", unit="s", description="Request duration.")
    for v in (0.001, 0.05, 0.5, 2.0):
        h.record(v, {"route": "/a"})
    meter.create_observable_gauge("cache.usage", unit="1", description="Cache usage.",
                                  callbacks=[lambda _o: [Observation(0.5, {"pool": "kv"})]])
    try:
        assert provider.force_flush(10_000)
    finally:
        provider.shutdown()

    want = {"requests_handled_total", "queue_size_bytes", "request_duration_seconds", "cache_usage_ratio",
            "target_info"}
    text = gw.wait_for(lambda: (lambda t: t if want <= set(families(t)) else None)(pull_text(mp.pull)),
                       timeout=10, what=f"families {sorted(want)} on the pull endpoint")

    fams = families(text)
    assert set(fams) == want, sorted(fams)
    assert all(f["HELP"] and f["TYPE"] for f in fams.values()), fams
    assert {n: f["TYPE"] for n, f in fams.items()} == {
        "requests_handled_total": "counter", "queue_size_bytes": "gauge", "request_duration_seconds": "histogram",
        "cache_usage_ratio": "gauge", "target_info": "gauge"}
    samples = parse_prometheus_text(text)
    assert samples[("request_duration_seconds_count", frozenset({
        "job": "inference/lint", "instance": "engine-0", "otel_scope_name": "lint.scope",
        "otel_scope_version": "1.0", "route": "/a"}.items()))] == 4
    # text format 0.0.4 without timestamps: every sample line is `name{labels} value`
    for line in text.splitlines():
        if line and not line.startswith("#"):
            after_name = line.rsplit("}", 1)[-1] if "}" in line else line.split(None, 1)[-1]
            assert len(after_name.split()) == 1, f"timestamp or junk after the value: {line!r}"

    if not os.access(PROMTOOL_BIN, os.X_OK):
        pytest.fail(f"{PROMTOOL_BIN} is missing: install Prometheus (Debian package `prometheus`)", pytrace=False)
    res = subprocess.run([PROMTOOL_BIN, "check", "metrics"], input=text, capture_output=True, text=True,
                         timeout=30)
    assert (res.returncode, res.stdout, res.stderr) == (0, "", ""), f"promtool on:\n{text}"

