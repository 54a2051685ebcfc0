import MetricStore
import PrometheusTranslation
import Testing

@testable import ZPagesExtension

/// A tick holding one unlabelled series per family.
func tick(_ timeMs: Int64, _ families: [String: ZPagesSampler.Value]) -> ZPagesSampler.Tick {
    ZPagesSampler.Tick(timeMs: timeMs, families: families.mapValues { [[]: $0] })
}

func histogram(_ counts: [UInt64], bounds: [Double] = [10, 100]) -> ZPagesSampler.Value {
    .histogram(ClassicHistogramValue(bounds: bounds, bucketCounts: counts, count: counts.reduce(0, +), sum: 0))
}

@Suite struct EnginePanelsTests {
    @Test func histogramQuantileInterpolatesAsPrometheus() {
        // 10 observations <= 10, 10 in (10, 100], none above.
        let buckets: [(Double, Double)] = [(10, 10), (100, 20), (.infinity, 20)]
        #expect(EnginePanels.histogramQuantile(0.5, buckets: buckets) == 10)
        #expect(EnginePanels.histogramQuantile(0.25, buckets: buckets) == 5)
        #expect(EnginePanels.histogramQuantile(0.75, buckets: buckets) == 55)
        // A rank in the +Inf bucket answers the highest finite bound.
        #expect(EnginePanels.histogramQuantile(0.99, buckets: [(10, 1), (.infinity, 10)]) == 10)
        #expect(EnginePanels.histogramQuantile(0.5, buckets: [(10, 0), (.infinity, 0)]) == nil)
        #expect(EnginePanels.histogramQuantile(0.5, buckets: [(10, 1)]) == nil)
    }

    @Test func rateIsTheIncreaseOverTheWindowAndSurvivesResets() {
        let ticks = [
            tick(0, ["c_total": .number(100)]), tick(10_000, ["c_total": .number(150)]),
            tick(20_000, ["c_total": .number(20)]), tick(60_000, ["c_total": .number(80)]),
        ]
        #expect(EnginePanels.rate("c_total", ticks, at: 0, windowMs: 30_000) == nil)
        #expect(EnginePanels.rate("c_total", ticks, at: 1, windowMs: 30_000) == 5)
        // 100 -> 150 -> (reset) 20: increase 50 + 20 over 20 s counted from the window's first tick.
        #expect(EnginePanels.rate("c_total", ticks, at: 2, windowMs: 30_000) == 20.0 / 20)
        // Only the tick itself in the window: no rate.
        #expect(EnginePanels.rate("c_total", ticks, at: 3, windowMs: 30_000) == nil)
    }

    @Test func quantileUsesBucketIncreasesInTheWindow() {
        let ticks = [
            tick(0, ["h": histogram([100, 0, 0])]),
            tick(10_000, ["h": histogram([100, 10, 0])]),
        ]
        // Only the 10 new observations in (10, 100] count: the median is inside that bucket.
        #expect(EnginePanels.quantile(0.5, "h", ticks, at: 1, windowMs: 30_000) == 55)
    }

    @Test func panelsAreTheReferenceTenInOrder() {
        #expect(
            EnginePanels.engine.map(\.id) == [
                "kv_cache_memory", "active_requests", "waiting_requests", "decode_prefill_ratio", "decode_tokens_rate",
                "prefill_tokens_rate", "batch_fill_percentiles", "kv_cache_memory_over_time", "ttft",
                "request_latency_percentiles",
            ])
        #expect(EnginePanels.engine.first { $0.id == "ttft" }?.lines.map(\.legend) == ["p95", "p50", "p99"])
    }

    @Test func groupedLinesAverageByLabelAndLeaveOutTheExcludedValue() {
        let labels: (String, String) -> [PrometheusLabel] = {
            [PrometheusLabel(name: "cpu", value: $0), .init(name: "state", value: $1)]
        }
        let family: ZPagesSampler.FamilySample = [
            labels("0", "user"): .number(0.2), labels("1", "user"): .number(0.4), labels("0", "idle"): .number(0.8),
        ]
        let ticks = [ZPagesSampler.Tick(timeMs: 0, families: ["system_cpu_utilization_ratio": family])]
        let panel = EnginePanels.host.first { $0.id == "host_cpu" }!
        let series = EnginePanels.compute(panel, ticks: ticks, windowMs: 30_000)
        #expect(series.map(\.name) == ["user"])
        let value = series.first?.points.first?.1 ?? nil
        #expect(abs((value ?? 0) - 0.3) < 1e-9)
    }
}
