public import CoreMetrics
public import GatewayCore
internal import Synchronization
internal import Tracing

/// A swift-metrics backend that keeps every series in memory and hands them to the gateway's pipelines as
/// cumulative OTLP metrics (`collect(timeUnixNano:)`), so a Swift program in the gateway's process is observed
/// without going over the network.
///
/// Handles are cached per label and dimensions (the same series always gets the same handle) and each value
/// costs one lock or one atomic. Counters become monotonic cumulative sums, gauges, `Recorder(aggregate: false)`
/// and meters become gauges with the last value, and `Recorder(aggregate: true)` and timers become cumulative
/// explicit-bucket histograms. swift-metrics carries no units or bucket boundaries, so both come from lookups.
public final class PipelineMetricsFactory: MetricsFactory, Sendable {
    /// The scope the metrics are reported under.
    public static let defaultScopeName = "otlp-gateway/engine"
    /// OpenTelemetry's default explicit bucket boundaries, for histograms the lookup does not know.
    public static let defaultBucketBoundaries: [Double] = [
        0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
    ]

    /// The resource every collected metric is reported under.
    public let resource: Resource
    public let scope: InstrumentationScope
    /// When the factory was made: the start of every cumulative point.
    public let startTimeUnixNano: UInt64

    private let bucketLookup: @Sendable (String) -> [Double]?
    private let unitLookup: @Sendable (String) -> String?
    private let descriptionLookup: @Sendable (String) -> String?
    private let registry = Mutex(Registry())

    /// - Parameters:
    ///   - resource: reported with every collection (e.g. `service.name`).
    ///   - scopeName: the instrumentation scope; default `otlp-gateway/engine`.
    ///   - buckets: bucket boundaries by metric name, ascending; nil means `defaultBucketBoundaries`. Timers'
    ///     boundaries are in the timer's unit.
    ///   - units: the OpenTelemetry unit by metric name (`ms`, `By`, `1`, `{request}`); nil means none, and for
    ///     timers seconds (`s`). A timer's nanoseconds are converted to `s`, `ms`, `us` or `ns`.
    ///   - descriptions: the metric's description by name; nil means none.
    ///   - startTimeUnixNano: the start of every cumulative point; default now.
    public init(
        resource: Resource,
        scopeName: String = PipelineMetricsFactory.defaultScopeName,
        buckets: @escaping @Sendable (String) -> [Double]? = { _ in nil },
        units: @escaping @Sendable (String) -> String? = { _ in nil },
        descriptions: @escaping @Sendable (String) -> String? = { _ in nil },
        startTimeUnixNano: UInt64? = nil
    ) {
        self.resource = resource
        self.scope = InstrumentationScope(name: scopeName)
        self.bucketLookup = buckets
        self.unitLookup = units
        self.descriptionLookup = descriptions
        self.startTimeUnixNano = startTimeUnixNano ?? DefaultTracerClock.now.nanosecondsSinceEpoch
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = SeriesKey(label: label, dimensions: dimensions)
        return registry.withLock { Registry.cached(&$0.counters, key) { PipelineCounter() } }
    }

    public func makeFloatingPointCounter(
        label: String,
        dimensions: [(String, String)]
    ) -> any FloatingPointCounterHandler {
        let key = SeriesKey(label: label, dimensions: dimensions)
        return registry.withLock { Registry.cached(&$0.floatingPointCounters, key) { PipelineFloatingPointCounter() } }
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let key = SeriesKey(label: label, dimensions: dimensions)
        if !aggregate {
            return registry.withLock { Registry.cached(&$0.gauges, key) { PipelineGauge() } }
        }
        return registry.withLock {
            Registry.cached(&$0.histograms, key) { PipelineHistogram(bounds: bounds(for: label)) }
        }
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let key = SeriesKey(label: label, dimensions: dimensions)
        return registry.withLock { Registry.cached(&$0.gauges, key) { PipelineGauge() } }
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let key = SeriesKey(label: label, dimensions: dimensions)
        let scale = Self.timerUnit(unitLookup(label)).scale
        return registry.withLock {
            Registry.cached(&$0.timers, key) { PipelineHistogram(bounds: bounds(for: label), nanosecondScale: scale) }
        }
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        registry.withLock { Registry.remove(handler, from: &$0.counters) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        registry.withLock { Registry.remove(handler, from: &$0.floatingPointCounters) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        registry.withLock {
            Registry.remove(handler, from: &$0.gauges)
            Registry.remove(handler, from: &$0.histograms)
        }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        registry.withLock { Registry.remove(handler, from: &$0.gauges) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        registry.withLock { Registry.remove(handler, from: &$0.timers) }
    }

    // MARK: Collection

    /// Every series as cumulative OTLP metrics at `timeUnixNano`, under `resource` and `scope`; metrics in name
    /// order, points in attribute order. Gauges that never got a value are left out.
    public func collect(timeUnixNano: UInt64) -> Metrics {
        let registry = self.registry.withLock { $0 }
        let start = startTimeUnixNano
        var byName: [String: MetricBuilder] = [:]
        func builder(_ label: String, unit: String) -> MetricBuilder {
            byName[label] ?? MetricBuilder(name: label, unit: unit, description: descriptionLookup(label) ?? "")
        }

        for (key, counter) in registry.counters {
            var b = builder(key.label, unit: unitLookup(key.label) ?? "")
            b.sumPoints.append(point(key, .int(counter.current), start: start, time: timeUnixNano))
            byName[key.label] = b
        }
        for (key, counter) in registry.floatingPointCounters {
            var b = builder(key.label, unit: unitLookup(key.label) ?? "")
            b.sumPoints.append(point(key, .double(counter.current), start: start, time: timeUnixNano))
            byName[key.label] = b
        }
        for (key, gauge) in registry.gauges {
            guard let value = gauge.current else { continue }
            var b = builder(key.label, unit: unitLookup(key.label) ?? "")
            b.gaugePoints.append(point(key, value, start: start, time: timeUnixNano))
            byName[key.label] = b
        }
        for (key, histogram) in registry.histograms {
            var b = builder(key.label, unit: unitLookup(key.label) ?? "")
            b.histogramPoints.append(histogramPoint(key, histogram, start: start, time: timeUnixNano))
            byName[key.label] = b
        }
        for (key, timer) in registry.timers {
            var b = builder(key.label, unit: Self.timerUnit(unitLookup(key.label)).unit)
            b.histogramPoints.append(histogramPoint(key, timer, start: start, time: timeUnixNano))
            byName[key.label] = b
        }

        var metrics: [Metric] = []
        for name in byName.keys.sorted() {
            metrics.append(contentsOf: byName[name]!.build())
        }
        let scopeMetrics = ScopeMetrics(scope: scope, metrics: metrics)
        return Metrics(resourceMetrics: [ResourceMetrics(resource: resource, scopeMetrics: [scopeMetrics])])
    }

    // MARK: Helpers

    private func bounds(for label: String) -> [Double] {
        let bounds = bucketLookup(label) ?? Self.defaultBucketBoundaries
        // Unsorted or duplicated boundaries would break the binary search and OTLP's bucket semantics.
        return Array(Set(bounds.filter { !$0.isNaN })).sorted()
    }

    /// The unit a timer reports in and what one nanosecond is in it; unknown units fall back to seconds.
    static func timerUnit(_ unit: String?) -> (unit: String, scale: Double) {
        switch unit {
        case "ns": return ("ns", 1)
        case "us", "µs": return (unit!, 1e-3)
        case "ms": return ("ms", 1e-6)
        case "min": return ("min", 1e-9 / 60)
        case "h": return ("h", 1e-9 / 3600)
        default: return ("s", 1e-9)
        }
    }

    private func point(_ key: SeriesKey, _ value: NumberValue, start: UInt64, time: UInt64) -> NumberDataPoint {
        NumberDataPoint(attributes: key.attributes, startTimeUnixNano: start, timeUnixNano: time, value: value)
    }

    private func histogramPoint(
        _ key: SeriesKey,
        _ histogram: PipelineHistogram,
        start: UInt64,
        time: UInt64
    ) -> HistogramDataPoint {
        let state = histogram.snapshot
        return HistogramDataPoint(
            attributes: key.attributes,
            startTimeUnixNano: start,
            timeUnixNano: time,
            count: state.count,
            sum: state.sum,
            bucketCounts: state.bucketCounts,
            explicitBounds: histogram.bounds,
            min: state.count > 0 ? state.min : nil,
            max: state.count > 0 ? state.max : nil
        )
    }
}

/// One series: a label and its dimensions, canonicalised so that dimension order does not matter.
struct SeriesKey: Hashable, Sendable {
    var label: String
    var attributes: Attributes

    init(label: String, dimensions: [(String, String)]) {
        self.label = label
        self.attributes = Attributes(dimensions.map { Attribute(key: $0.0, value: .string($0.1)) })
    }
}

/// Every live handle by series.
struct Registry: Sendable {
    var counters: [SeriesKey: PipelineCounter] = [:]
    var floatingPointCounters: [SeriesKey: PipelineFloatingPointCounter] = [:]
    var gauges: [SeriesKey: PipelineGauge] = [:]
    var histograms: [SeriesKey: PipelineHistogram] = [:]
    var timers: [SeriesKey: PipelineHistogram] = [:]

    /// The handle of `key`, made by `make` the first time.
    static func cached<Handle>(_ handles: inout [SeriesKey: Handle], _ key: SeriesKey, make: () -> Handle) -> Handle {
        if let existing = handles[key] { return existing }
        let handle = make()
        handles[key] = handle
        return handle
    }

    static func remove<Handle: AnyObject>(_ handler: AnyObject, from handles: inout [SeriesKey: Handle]) {
        if let key = handles.first(where: { $0.value === handler })?.key { handles[key] = nil }
    }
}

/// The points of one metric name, by kind; a name used with several kinds gives one metric per kind.
private struct MetricBuilder {
    var name: String
    var unit: String
    var description: String
    var sumPoints: [NumberDataPoint] = []
    var gaugePoints: [NumberDataPoint] = []
    var histogramPoints: [HistogramDataPoint] = []

    func build() -> [Metric] {
        var metrics: [Metric] = []
        func ordered<P>(_ points: [P], _ attributes: (P) -> Attributes) -> [P] {
            points.sorted {
                attributes($0).lexicographicallyPrecedes(attributes($1)) { a, b in
                    a.key != b.key ? a.key < b.key : a.value.displayString < b.value.displayString
                }
            }
        }
        if !sumPoints.isEmpty {
            let sum = Sum(dataPoints: ordered(sumPoints, \.attributes), temporality: .cumulative, isMonotonic: true)
            metrics.append(Metric(name: name, description: description, unit: unit, data: .sum(sum)))
        }
        if !gaugePoints.isEmpty {
            metrics.append(
                Metric(
                    name: name, description: description, unit: unit, data: .gauge(ordered(gaugePoints, \.attributes)))
            )
        }
        if !histogramPoints.isEmpty {
            let histogram = Histogram(dataPoints: ordered(histogramPoints, \.attributes), temporality: .cumulative)
            metrics.append(Metric(name: name, description: description, unit: unit, data: .histogram(histogram)))
        }
        return metrics
    }
}
