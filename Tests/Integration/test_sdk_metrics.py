"""Metrics of every instrument kind from the real OpenTelemetry Python SDK (MeterProvider +
PeriodicExportingMetricReader + force_flush, OTLP gRPC and HTTP exporters), cumulative and delta."""

from __future__ import annotations

import math

import pytest
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    MeterProvider,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
)
from opentelemetry.sdk.metrics.export import AggregationTemporality, MetricExportResult, PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

from sdkutil import RecordingMetricExporter

# Attribute sets recorded per instrument: each distinct set is one data point.
COUNTER_SETS = [{"route": "/a"}, {"route": "/b"}, {"route": "/c"}]
UPDOWN_SETS = [{"queue": "q1"}, {"queue": "q2"}]
HISTOGRAM_SETS = [{"route": "/a"}, {"route": "/b"}]
GAUGE_SETS = [{"room": "kitchen"}, {"room": "hall"}, {"room": "attic"}]
OBS_COUNTER_SETS = [{"cpu": "0"}, {"cpu": "1"}]
OBS_UPDOWN_SETS = [{"pool": "heap"}]
EXPO_SETS = [{"dir": "in"}, {"dir": "out"}]

# name -> (debug type, unit, expected data points)
EXPECTED = {
    "itest.requests": ("Sum", "1", len(COUNTER_SETS)),
    "itest.queue.depth": ("Sum", "{item}", len(UPDOWN_SETS)),
    "itest.latency": ("Histogram", "ms", len(HISTOGRAM_SETS)),
    "itest.temperature": ("Gauge", "Cel", len(GAUGE_SETS)),
    "itest.cpu.time": ("Sum", "s", len(OBS_COUNTER_SETS)),
    "itest.memory.used": ("Sum", "By", len(OBS_UPDOWN_SETS)),
    "itest.payload.size": ("ExponentialHistogram", "By", len(EXPO_SETS)),
}
EXPECTED_METRICS = len(EXPECTED)
EXPECTED_POINTS = sum(p for _, _, p in EXPECTED.values())  # 15

DELTA = {
    Counter: AggregationTemporality.DELTA,
    UpDownCounter: AggregationTemporality.CUMULATIVE,
    Histogram: AggregationTemporality.DELTA,
    ObservableCounter: AggregationTemporality.DELTA,
    ObservableUpDownCounter: AggregationTemporality.CUMULATIVE,
    ObservableGauge: AggregationTemporality.CUMULATIVE,
}


def make_metric_exporter(gw, transport: str, temporality):
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter(endpoint=gw.grpc_target, insecure=True, timeout=10,
                                  preferred_temporality=temporality)
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter(endpoint=gw.http_url("/v1/metrics"), timeout=10, preferred_temporality=temporality)


def record_all_kinds(exporter) -> RecordingMetricExporter:
    rec = RecordingMetricExporter(exporter)
    reader = PeriodicExportingMetricReader(rec, export_interval_millis=math.inf)  # only force_flush exports
    provider = MeterProvider(
        metric_readers=[reader],
        resource=Resource.create({"service.name": "itest-metrics"}),
        views=[
            View(instrument_name="itest.payload.size", aggregation=ExponentialBucketHistogramAggregation()),
        ],
    )
    meter = provider.get_meter("itest", "1.0")

    requests_ = meter.create_counter("itest.requests", unit="1", description="requests")
    for k, attrs in enumerate(COUNTER_SETS):
        for _ in range(k + 1):
            requests_.add(1, attrs)
    queue = meter.create_up_down_counter("itest.queue.depth", unit="{item}")
    for attrs in UPDOWN_SETS:
        queue.add(5, attrs)
        queue.add(-2, attrs)
    latency = meter.create_histogram("itest.latency", unit="ms")
    for attrs in HISTOGRAM_SETS:
        for v in (1.0, 7.5, 250.0):
            latency.record(v, attrs)
    payload = meter.create_histogram("itest.payload.size", unit="By")
    for attrs in EXPO_SETS:
        for v in (10, 100, 1000, 10000):
            payload.record(v, attrs)

    def gauge_cb(_: CallbackOptions):
        return [Observation(20.5 + i, a) for i, a in enumerate(GAUGE_SETS)]

    def cpu_cb(_: CallbackOptions):
        return [Observation(1.25 * (i + 1), a) for i, a in enumerate(OBS_COUNTER_SETS)]

    def mem_cb(_: CallbackOptions):
        return [Observation(1 << 20, a) for a in OBS_UPDOWN_SETS]

    meter.create_observable_gauge("itest.temperature", callbacks=[gauge_cb], unit="Cel")
    meter.create_observable_counter("itest.cpu.time", callbacks=[cpu_cb], unit="s")
    meter.create_observable_up_down_counter("itest.memory.used", callbacks=[mem_cb], unit="By")

    assert provider.force_flush(10_000)
    provider.shutdown()
    return rec


@pytest.mark.parametrize("temporality", [None, DELTA], ids=["cumulative", "delta"])
@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_metric_points_arrive_exactly(gw, transport, temporality):
    rec = record_all_kinds(make_metric_exporter(gw, transport, temporality))
    assert rec.results and all(r == MetricExportResult.SUCCESS for r in rec.results), rec.results
    # What the SDK sent must be what the attribute sets predict (guards the test's own arithmetic).
    assert (rec.metrics, rec.points) == (EXPECTED_METRICS, EXPECTED_POINTS)

    accepted = gw.settle_counter("otelcol_receiver_accepted_metric_points_total", EXPECTED_POINTS,
                                 receiver="otlp", transport=transport)
    assert accepted == EXPECTED_POINTS
    assert gw.counter("otelcol_receiver_refused_metric_points_total", receiver="otlp") == 0
    assert gw.settle_debug("metrics", "data_points", EXPECTED_POINTS) == EXPECTED_POINTS
    assert gw.debug_total("metrics", "metrics") == EXPECTED_METRICS
    assert gw.settle_counter("otelcol_exporter_sent_metric_points_total", EXPECTED_POINTS,
                             exporter="debug") == EXPECTED_POINTS


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_sdk_metrics_detailed_output(gw_detailed, transport):
    gw = gw_detailed
    rec = record_all_kinds(make_metric_exporter(gw, transport, DELTA))
    assert all(r == MetricExportResult.SUCCESS for r in rec.results)
    assert gw.settle_debug("metrics", "data_points", EXPECTED_POINTS) == EXPECTED_POINTS
    details = [d for s in gw.debug_summaries() if s.signal == "metrics" for d in s.details]
    assert all(d["item"] == "metric" for d in details)
    got = {}
    for d in details:
        t, u, n = got.get(d["name"], (d["type"], d["unit"], 0))
        assert (t, u) == (d["type"], d["unit"]), d
        got[d["name"]] = (t, u, n + d["data_points"])
    assert got == EXPECTED
