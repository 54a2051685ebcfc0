internal import ComponentKit
internal import MetricStore
internal import PrometheusTranslation
internal import SelfTelemetry
internal import Synchronization

/// The page's memory of the recent past: the self-metrics (for rates per component), the series of the metrics the
/// engine and host panels draw, and the series count per metric (for cardinality growth), sampled every
/// `sample_interval`. Bounded: the engine history keeps `history / sample_interval` ticks of a fixed set of
/// metric families, the rest a few ticks.
final class ZPagesSampler: Sendable {
    /// One sampled value of one series.
    enum Value: Sendable {
        case number(Double)
        case histogram(ClassicHistogramValue)
    }

    /// The series of one family at one tick, by their label set.
    typealias FamilySample = [[PrometheusLabel]: Value]

    struct Tick: Sendable {
        var timeMs: Int64
        /// Per wanted base name (`ttft_milliseconds`), the family's series.
        var families: [String: FamilySample]
    }

    struct SelfTick: Sendable {
        var timeMs: Int64
        var samples: [TelemetryRegistry.Sample]
    }

    struct CardinalityTick: Sendable {
        var timeMs: Int64
        var counts: [String: Int]
    }

    private struct State {
        var ticks: [Tick] = []
        var selfTicks: [SelfTick] = []
        var cardinality: [CardinalityTick] = []
        var tickCount = 0
    }

    let inspection: GraphInspection
    let maxTicks: Int
    /// Self-metric ticks kept: enough to cover `rateWindowMs`.
    let maxSelfTicks: Int
    /// Cardinality is sampled every `cardinalityEvery` ticks, `maxCardinalityTicks` kept.
    let cardinalityEvery: Int
    let maxCardinalityTicks = 31
    let stepMs: Int64
    /// The window of rates and quantiles (Grafana's `$__rate_interval` on a 5 s scrape is about this).
    let rateWindowMs: Int64 = 30_000
    /// The window of the pipelines page's rates.
    let componentWindowMs: Int64 = 10_000
    private let state = Mutex(State())

    init(inspection: GraphInspection, step: Duration, history: Duration) {
        self.inspection = inspection
        stepMs = Swift.max(1, Self.milliseconds(step))
        maxTicks = Int(Swift.max(2, Self.milliseconds(history) / stepMs)) + 1
        maxSelfTicks = Int(Swift.max(2, componentWindowMs / stepMs)) + 2
        cardinalityEvery = Int(Swift.max(1, 10_000 / stepMs))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Takes one sample at `timeMs`.
    func sample(timeMs: Int64) {
        let stores = inspection.metricStores.map(\.store)
        var families: [String: FamilySample] = [:]
        for store in stores {
            let present = store.familySeriesCounts()
            var wanted: [String: String] = [:]
            for base in EnginePanels.sampledFamilies {
                if let name = Self.resolve(base, in: present) { wanted[name] = base }
            }
            guard !wanted.isEmpty else { continue }
            for series in store.series(inFamilies: Set(wanted.keys)) where !series.isStale {
                guard let base = wanted[series.family.name] else { continue }
                let value: Value
                switch series.value {
                case .number(let n): value = .number(n)
                case .histogram(let h): value = .histogram(h)
                case .summary(let s): value = .number(Double(s.count))
                case .exponentialHistogram(let e): value = .number(Double(e.count))
                }
                families[base, default: [:]][series.labels] = value
            }
        }
        let selfSamples = inspection.registry.samples()
        state.withLock { s in
            s.ticks.append(Tick(timeMs: timeMs, families: families))
            if s.ticks.count > maxTicks { s.ticks.removeFirst(s.ticks.count - maxTicks) }
            s.selfTicks.append(SelfTick(timeMs: timeMs, samples: selfSamples))
            if s.selfTicks.count > maxSelfTicks { s.selfTicks.removeFirst(s.selfTicks.count - maxSelfTicks) }
            s.tickCount += 1
        }
        let takeCardinality = state.withLock { ($0.tickCount - 1) % cardinalityEvery == 0 }
        if takeCardinality {
            var counts: [String: Int] = [:]
            for store in stores {
                for (name, count) in store.familySeriesCounts() { counts[name, default: 0] += count }
            }
            state.withLock { s in
                s.cardinality.append(CardinalityTick(timeMs: timeMs, counts: counts))
                if s.cardinality.count > maxCardinalityTicks {
                    s.cardinality.removeFirst(s.cardinality.count - maxCardinalityTicks)
                }
            }
        }
    }

    /// The family in the store for a base name: the name itself, or the name under a namespace prefix.
    static func resolve(_ base: String, in present: [String: Int]) -> String? {
        if present[base] != nil { return base }
        return present.keys.filter { $0.hasSuffix("_" + base) }.min()
    }

    var ticks: [Tick] { state.withLock { $0.ticks } }
    var selfTicks: [SelfTick] { state.withLock { $0.selfTicks } }
    var cardinalityTicks: [CardinalityTick] { state.withLock { $0.cardinality } }
}
