"""Wrappers around the real OpenTelemetry Python SDK exporters that remember what they exported
and what the exporter returned, so tests can assert SUCCESS and exact counts."""

from __future__ import annotations

import threading
from typing import Sequence

from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


class RecordingSpanExporter(SpanExporter):
    def __init__(self, inner: SpanExporter):
        self.inner = inner
        self.results: list[SpanExportResult] = []
        self.exported = 0
        self.spans: list = []  # every ReadableSpan handed to export(), in order
        self._lock = threading.Lock()

    def export(self, spans: Sequence) -> SpanExportResult:
        result = self.inner.export(spans)
        with self._lock:
            self.results.append(result)
            self.exported += len(spans)
            self.spans.extend(spans)
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


class RecordingLogExporter:
    """Duck-typed LogRecordExporter (export/shutdown/force_flush)."""

    def __init__(self, inner):
        self.inner = inner
        self.results: list = []
        self.exported = 0
        self._lock = threading.Lock()

    def export(self, batch):
        result = self.inner.export(batch)
        with self._lock:
            self.results.append(result)
            self.exported += len(batch)
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        f = getattr(self.inner, "force_flush", None)
        return f(timeout_millis) if f else True


def count_points(data: MetricsData) -> tuple[int, int]:
    """(metrics, data points) in an SDK MetricsData."""
    metrics = points = 0
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                metrics += 1
                points += len(list(m.data.data_points))
    return metrics, points


class RecordingMetricExporter(MetricExporter):
    def __init__(self, inner: MetricExporter):
        super().__init__(
            preferred_temporality=inner._preferred_temporality,
            preferred_aggregation=inner._preferred_aggregation,
        )
        self.inner = inner
        self.results: list[MetricExportResult] = []
        self.metrics = 0
        self.points = 0
        self.exported: list[MetricsData] = []

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs) -> MetricExportResult:
        result = self.inner.export(metrics_data, timeout_millis=timeout_millis, **kwargs)
        m, p = count_points(metrics_data)
        self.results.append(result)
        self.metrics += m
        self.points += p
        self.exported.append(metrics_data)
        return result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return self.inner.force_flush(timeout_millis)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs) -> None:
        self.inner.shutdown(timeout_millis=timeout_millis, **kwargs)
