import GatewayCore
import MetricStore
import PrometheusTranslation
import SelfTelemetry
import Synchronization
import Testing

/// A settable wall clock for staleness tests.
final class TestClock: Sendable {
    let nanos = Atomic<UInt64>(1_700_000_000_000_000_000)
    func advance(seconds: Double) { nanos.wrappingAdd(UInt64(seconds * 1e9), ordering: .relaxed) }
    var read: @Sendable () -> UInt64 { { [self] in nanos.load(ordering: .relaxed) } }
}

let t0: UInt64 = 1_700_000_000_000_000_000
let sec: UInt64 = 1_000_000_000
let resource = Resource(attributes: [
    "service.name": .string("svc"), "service.instance.id": .string("i-1"), "host.name": .string("h"),
])

func batch(_ metrics: Metric...) -> Metrics {
    Metrics(resourceMetrics: [
        ResourceMetrics(
            resource: resource,
            scopeMetrics: [ScopeMetrics(scope: InstrumentationScope(name: "lib", version: "2"), metrics: metrics)])
    ])
}

func counter(
    _ name: String, _ points: [(attrs: Attributes, start: UInt64, time: UInt64, value: Double)], delta: Bool = false
) -> Metric {
    Metric(
        name: name,
        data: .sum(
            Sum(
                dataPoints: points.map {
                    NumberDataPoint(
                        attributes: $0.attrs, startTimeUnixNano: $0.start, timeUnixNano: $0.time,
                        value: .double($0.value))
                }, temporality: delta ? .delta : .cumulative, isMonotonic: true)))
}

func value(_ store: MetricStore, _ family: String, _ label: (String, String)? = nil) -> SeriesValue? {
    store.snapshot().first { s in
        s.family.name == family && (label.map { l in s.labels.contains { $0.name == l.0 && $0.value == l.1 } } ?? true)
    }?.value
}

@Suite struct MetricStoreTests {
    let registry = TelemetryRegistry()

    @Test func cumulativeReplacesAndLabelsAreCanonical() {
        let store = MetricStore(settings: .init(), registry: registry)
        store.ingest(batch(counter("decode_tokens_processed", [(["model_name": .string("m")], t0, t0 + sec, 5)])))
        store.ingest(batch(counter("decode_tokens_processed", [(["model_name": .string("m")], t0, t0 + 2 * sec, 9)])))
        let series = store.snapshot().filter { $0.family.name == "decode_tokens_processed_total" }
        #expect(series.count == 1)
        #expect(series[0].value == .number(9))
        #expect(series[0].family.type == .counter)
        #expect(
            series[0].labels.map(\.name) == ["instance", "job", "model_name", "otel_scope_name", "otel_scope_version"])
        #expect(series[0].labels.first { $0.name == "job" }?.value == "svc")
        #expect(series[0].timestampMs == Int64((t0 + 2 * sec) / 1_000_000))
    }

    @Test func deltaSumsAccumulateIntoCumulative() {
        let store = MetricStore(settings: .init(), registry: registry)
        store.ingest(batch(counter("reqs", [([:], t0, t0 + sec, 2)], delta: true)))
        store.ingest(batch(counter("reqs", [([:], t0 + sec, t0 + 2 * sec, 3)], delta: true)))
        store.ingest(batch(counter("reqs", [([:], t0 + 2 * sec, t0 + 3 * sec, 4)], delta: true)))
        #expect(value(store, "reqs_total") == .number(9))
        // A repeated (overlapping) delta is not counted twice.
        store.ingest(batch(counter("reqs", [([:], t0 + 2 * sec, t0 + 3 * sec, 4)], delta: true)))
        #expect(value(store, "reqs_total") == .number(9))
        #expect(
            registry.value("otlp_gateway_metric_store_out_of_order_points_total", labels: ["store": "default"]) == 1)
    }

    @Test func deltaHistogramsAddBucketsAndStartTimeChangeResetsCumulative() {
        let store = MetricStore(settings: .init(), registry: registry)
        func hist(_ start: UInt64, _ time: UInt64, _ counts: [UInt64], delta: Bool) -> Metric {
            Metric(
                name: "ttft_milliseconds", unit: "ms",
                data: .histogram(
                    Histogram(
                        dataPoints: [
                            HistogramDataPoint(
                                startTimeUnixNano: start, timeUnixNano: time, count: counts.reduce(0, +),
                                sum: Double(counts.reduce(0, +)), bucketCounts: counts, explicitBounds: [10, 100])
                        ], temporality: delta ? .delta : .cumulative)))
        }
        store.ingest(batch(hist(t0, t0 + sec, [1, 2, 3], delta: true)))
        store.ingest(batch(hist(t0 + sec, t0 + 2 * sec, [1, 0, 1], delta: true)))
        guard case .histogram(let h)? = value(store, "ttft_milliseconds") else {
            Issue.record("no histogram")
            return
        }
        #expect(h.bucketCounts == [2, 2, 4])
        #expect(h.count == 8)
        #expect(h.sum == 8)

        let cumulative = MetricStore(settings: .init(), registry: registry)
        cumulative.ingest(batch(counter("c", [([:], t0, t0 + sec, 100)])))
        cumulative.ingest(batch(counter("c", [([:], t0 + 5 * sec, t0 + 6 * sec, 3)])))
        let s = cumulative.snapshot().first { $0.family.name == "c_total" }!
        #expect(s.value == .number(3))
        #expect(s.startTimeUnixNano == t0 + 5 * sec)
    }

    @Test func olderPointsNeverReplaceNewerOnes() {
        let store = MetricStore(settings: .init(), registry: registry)
        store.ingest(batch(counter("c", [([:], t0, t0 + 5 * sec, 50)])))
        store.ingest(batch(counter("c", [([:], t0, t0 + 4 * sec, 40)])))
        #expect(value(store, "c_total") == .number(50))
    }

    @Test func cardinalityLimitRefusesNewSeriesAndReportsThem() {
        let store = MetricStore(settings: .init(maxSeriesPerMetric: 3), registry: registry, name: "limited")
        let points = (0..<5).map { i in
            (attrs: ["id": AnyValue.int(Int64(i))] as Attributes, start: t0, time: t0 + sec, value: 1.0)
        }
        let result = store.ingest(batch(counter("c", points)))
        #expect(result.rejectedItems == 2)
        #expect(result.message.contains("max_series_per_metric (3)"))
        #expect(store.snapshot().filter { $0.family.name == "c_total" }.count == 3)
        // Existing series still update.
        let again = store.ingest(batch(counter("c", [(["id": .int(0)], t0, t0 + 2 * sec, 7)])))
        #expect(again.rejectedItems == 0)
        #expect(registry.value("otlp_gateway_metric_store_refused_points_total", labels: ["store": "limited"]) == 2)
    }

    @Test func staleSeriesExpireAndReadersGetTombstones() {
        let clock = TestClock()
        let store = MetricStore(settings: .init(staleAfter: .seconds(60)), registry: registry, now: clock.read)
        let reader = store.makeReader()
        store.ingest(batch(counter("c", [([:], t0, t0 + sec, 1)])))
        let first = store.changes(for: reader)
        #expect(first.updated.map(\.family.name).sorted() == ["c_total", "target_info"])
        #expect(store.changes(for: reader).updated.isEmpty)
        clock.advance(seconds: 61)
        let later = store.changes(for: reader)
        #expect(later.updated.isEmpty)
        #expect(later.removed.map(\.family.name).sorted() == ["c_total", "target_info"])
        #expect(store.seriesCount == 0)
        #expect(store.changes(for: reader).removed.isEmpty)
    }

    @Test func noRecordedValueMarksTheSeriesStale() {
        let store = MetricStore(settings: .init(), registry: registry)
        let reader = store.makeReader()
        store.ingest(batch(Metric(name: "g", data: .gauge([NumberDataPoint(timeUnixNano: t0, value: .double(3))]))))
        _ = store.changes(for: reader)
        store.ingest(
            batch(
                Metric(
                    name: "g",
                    data: .gauge([NumberDataPoint(timeUnixNano: t0 + sec, value: .double(0), flags: .noRecordedValue)]))
            ))
        let changes = store.changes(for: reader)
        let g = changes.updated.first { $0.family.name == "g" }
        #expect(g?.isStale == true)
        #expect(store.snapshot().contains { $0.family.name == "g" } == false)
    }

    @Test func targetInfoCarriesTheOtherResourceAttributes() {
        let store = MetricStore(settings: .init(), registry: registry)
        store.ingest(batch(counter("c", [([:], t0, t0 + sec, 1)])))
        let info = store.snapshot().first { $0.family.name == "target_info" }
        #expect(info?.value == .number(1))
        #expect(info?.labels.contains(PrometheusLabel(name: "host_name", value: "h")) == true)
        #expect(info?.labels.contains { $0.name == "job" && $0.value == "svc" } == true)
    }

    @Test func exponentialDeltasMergeAcrossScales() {
        let a = ExponentialHistogramValue(
            scale: 1, zeroCount: 1, zeroThreshold: 0, positiveOffset: 0, positiveCounts: [1, 1, 1, 1],
            negativeOffset: 0, negativeCounts: [], count: 5, sum: 10)
        let b = ExponentialHistogramValue(
            scale: 0, zeroCount: 0, zeroThreshold: 0, positiveOffset: 1, positiveCounts: [2], negativeOffset: 0,
            negativeCounts: [], count: 2, sum: 4)
        let store = MetricStore(settings: .init(), registry: registry)
        func metric(_ v: ExponentialHistogramValue, _ start: UInt64, _ time: UInt64) -> Metric {
            Metric(
                name: "e",
                data: .exponentialHistogram(
                    ExponentialHistogram(
                        dataPoints: [
                            ExponentialHistogramDataPoint(
                                startTimeUnixNano: start, timeUnixNano: time, count: v.count, sum: v.sum,
                                scale: v.scale, zeroCount: v.zeroCount,
                                positive: .init(offset: v.positiveOffset, bucketCounts: v.positiveCounts))
                        ], temporality: .delta)))
        }
        store.ingest(batch(metric(a, t0, t0 + sec)))
        store.ingest(batch(metric(b, t0 + sec, t0 + 2 * sec)))
        guard case .exponentialHistogram(let m)? = value(store, "e") else {
            Issue.record("no exponential histogram")
            return
        }
        // Scale 1 indices 0,1,2,3 become scale 0 indices 0,0,1,1; plus b's index 1.
        #expect(m.scale == 0)
        #expect(m.positiveOffset == 0)
        #expect(m.positiveCounts == [2, 4])
        #expect(m.count == 7)
        #expect(m.zeroCount == 1)
        let classic = m.classicBuckets()
        #expect(classic.map(\.le) == [0, 2, 4, .infinity])
        #expect(classic.map(\.cumulativeCount) == [1, 3, 7, 7])
    }
}

/// The point cache finds a point's series without building labels; it must never send a point to another series.
@Suite struct MetricStorePointCacheTests {
    let registry = TelemetryRegistry()

    func values(_ store: MetricStore) -> [String: SeriesValue] {
        var out: [String: SeriesValue] = [:]
        for s in store.snapshot() where s.family.name == "c_total" {
            out[s.labels.first { $0.name == "k" }?.value ?? ""] = s.value
        }
        return out
    }

    @Test func canonicallyEquivalentSpellingsStayTwoSeries() {
        // "é" precomposed and decomposed: equal as Swift strings, different labels for Prometheus.
        let (nfc, nfd) = ("\u{E9}", "e\u{301}")
        let store = MetricStore(settings: .init(), registry: registry)
        for (i, v) in [nfc, nfd, nfc, nfd].enumerated() {
            store.ingest(batch(counter("c", [(["k": .string(v)], t0, t0 + UInt64(i + 1) * sec, Double(i))])))
        }
        let series = store.snapshot().filter { $0.family.name == "c_total" }
        #expect(series.count == 2)
        let byBytes = Dictionary(
            uniqueKeysWithValues: series.map { s in (Array(s.labels.first { $0.name == "k" }!.value.utf8), s.value) })
        #expect(byBytes[Array(nfc.utf8)] == .number(2))
        #expect(byBytes[Array(nfd.utf8)] == .number(3))
    }

    @Test func pointsFindTheirSeriesAfterExpiryMovesSeries() {
        let clock = TestClock()
        let store = MetricStore(settings: .init(staleAfter: .seconds(60)), registry: registry, now: clock.read)
        let now = clock.read()
        store.ingest(
            batch(counter("c", ["a", "b", "c"].map { (["k": .string($0)], now - sec, now, 1) })))
        clock.advance(seconds: 50)
        // b and c stay fresh; a expires and c moves into its slot.
        store.ingest(batch(counter("c", ["b", "c"].map { (["k": .string($0)], now - sec, now + 50 * sec, 2) })))
        clock.advance(seconds: 20)
        store.expire()
        #expect(values(store) == ["b": .number(2), "c": .number(2)])
        store.ingest(batch(counter("c", [(["k": .string("c")], now - sec, now + 70 * sec, 7)])))
        store.ingest(batch(counter("c", [(["k": .string("a")], now - sec, now + 70 * sec, 5)])))
        #expect(values(store) == ["a": .number(5), "b": .number(2), "c": .number(7)])
    }

    @Test func intAndStringOfTheSameTextShareTheSeries() {
        // Different attribute values, the same label: one series, as without the cache.
        let store = MetricStore(settings: .init(), registry: registry)
        store.ingest(batch(counter("c", [(["k": .int(1)], t0, t0 + sec, 1)])))
        store.ingest(batch(counter("c", [(["k": .string("1")], t0, t0 + 2 * sec, 4)])))
        store.ingest(batch(counter("c", [(["k": .int(1)], t0, t0 + 3 * sec, 6)])))
        #expect(values(store) == ["1": .number(6)])
    }
}
