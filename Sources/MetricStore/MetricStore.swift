public import GatewayCore
public import PrometheusTranslation
public import SelfTelemetry
internal import Synchronization

/// The current state of every metric series, keyed by its translated family name and canonical (sorted) label
/// set, shared by the remote-write and pull exporters.
///
/// Cumulative points replace the state (a changed start time is a reset); delta sums and histograms are added up
/// into cumulative series with their own start time, so delta SDKs work without a separate processor. Points
/// older than the state are dropped, so no reader ever sees a series go back in time. Series that receive nothing
/// for `staleAfter` are removed and leave a tombstone from which remote write sends stale markers.
public final class MetricStore: Sendable {
    public struct Settings: Sendable, Hashable {
        public var strategy: PrometheusTranslationStrategy
        public var namespace: String
        /// Unit and `_total` suffixes (the `prometheus` exporter's `add_metric_suffixes`).
        public var addSuffixes: Bool
        public var promoteResourceAttributes: [String]
        public var promoteAllResourceAttributes: Bool
        public var targetInfo: Bool
        public var staleAfter: Duration
        public var maxSeriesPerMetric: Int

        public init(
            strategy: PrometheusTranslationStrategy = .underscoreEscaping, namespace: String = "",
            addSuffixes: Bool = true,
            promoteResourceAttributes: [String] = [], promoteAllResourceAttributes: Bool = false,
            targetInfo: Bool = true,
            staleAfter: Duration = .seconds(300), maxSeriesPerMetric: Int = 20_000
        ) {
            self.strategy = strategy
            self.namespace = namespace
            self.addSuffixes = addSuffixes
            self.promoteResourceAttributes = promoteResourceAttributes
            self.promoteAllResourceAttributes = promoteAllResourceAttributes
            self.targetInfo = targetInfo
            self.staleAfter = staleAfter
            self.maxSeriesPerMetric = maxSeriesPerMetric
        }
    }

    /// One series as readers see it.
    public struct Series: Sendable {
        public var family: MetricFamily
        public var labels: [PrometheusLabel]
        public var value: SeriesValue
        public var startTimeUnixNano: UInt64
        public var timeUnixNano: UInt64
        /// The last point carried OTLP's "no recorded value" flag: remote write sends a stale marker, the pull
        /// endpoint leaves the series out.
        public var isStale: Bool
        /// Trace exemplar of the last point, if any (trace id, span id, value, time).
        public var exemplar: Exemplar?

        public var timestampMs: Int64 { Int64(timeUnixNano / 1_000_000) }

        public init(
            family: MetricFamily, labels: [PrometheusLabel], value: SeriesValue, startTimeUnixNano: UInt64,
            timeUnixNano: UInt64, isStale: Bool, exemplar: Exemplar?
        ) {
            self.family = family
            self.labels = labels
            self.value = value
            self.startTimeUnixNano = startTimeUnixNano
            self.timeUnixNano = timeUnixNano
            self.isStale = isStale
            self.exemplar = exemplar
        }
    }

    /// What changed for one reader since its last call.
    public struct Changes: Sendable {
        public var updated: [Series]
        /// Series that expired: each needs a stale marker at `removedAtMs`.
        public var removed: [Series]
        public var removedAtMs: Int64
    }

    struct Key: Hashable {
        var family: String
        var labels: [PrometheusLabel]
    }

    struct Entry {
        var series: Series
        var seq: UInt64
        var touchedAtNanos: UInt64
    }

    struct Tombstone {
        var series: Series
        var seq: UInt64
    }

    struct State: @unchecked Sendable {
        var entries: [Entry] = []
        var index: [Key: Int] = [:]
        var cache = PointCache()
        var familyCounts: [String: Int] = [:]
        /// Points refused by `maxSeriesPerMetric`, per family (only families at their limit have any).
        var refusedByFamily: [String: Int] = [:]
        var seq: UInt64 = 0
        var tombstones: [Tombstone] = []
        var cursors: [Int: UInt64] = [:]
        var nextReader = 0
    }

    public let settings: Settings
    private let namer: PrometheusNamer
    private let labelBuilder: PrometheusLabelBuilder
    let state = Mutex(State())
    private let refusedSeries: TelemetryCounter
    private let outOfOrder: TelemetryCounter
    private let expired: TelemetryCounter
    private let seriesGauge: TelemetryGauge
    /// Wall clock in nanoseconds; injected so staleness is tested without waiting.
    private let now: @Sendable () -> UInt64

    public init(
        settings: Settings, registry: TelemetryRegistry, name: String = "default", now: (@Sendable () -> UInt64)? = nil
    ) {
        self.settings = settings
        self.namer = PrometheusNamer(strategy: settings.strategy, namespace: settings.namespace)
        self.labelBuilder = PrometheusLabelBuilder(
            namer: namer, promoteResourceAttributes: settings.promoteResourceAttributes,
            promoteAllResourceAttributes: settings.promoteAllResourceAttributes)
        let labels = ["store": name]
        refusedSeries = registry.counter(
            "otlp_gateway_metric_store_refused_points_total",
            help: "Data points refused because their metric reached max_series_per_metric.", labels: labels)
        outOfOrder = registry.counter(
            "otlp_gateway_metric_store_out_of_order_points_total",
            help: "Data points dropped because they were not newer than the series' current state.", labels: labels)
        expired = registry.counter(
            "otlp_gateway_metric_store_expired_series_total", help: "Series removed after stale_after without data.",
            labels: labels)
        seriesGauge = registry.gauge(
            "otlp_gateway_metric_store_series", help: "Active series in the metric store.", labels: labels)
        self.now = now ?? { WallClock.nowUnixNano() }
    }

    /// Number of live series.
    public var seriesCount: Int { state.withLock { $0.entries.count } }

    // MARK: - Ingest

    /// Applies a batch; returns the points refused by the cardinality limit (for `partial_success`).
    @discardableResult
    public func ingest(_ metrics: Metrics) -> ConsumeResult {
        let nowNanos = now()
        var refused = 0
        var refusedNames: [String] = []
        state.withLock { s in
            for rm in metrics.resourceMetrics {
                var latest: UInt64 = 0
                for sm in rm.scopeMetrics {
                    // The resource and scope part of the labels, once for all their points.
                    let context = labelBuilder.context(resource: rm.resource, scope: sm.scope)
                    let contextID = s.cache.context(rm.resource, sm.scope)
                    for metric in sm.metrics {
                        let r = apply(
                            metric, context: context, contextID: contextID, now: nowNanos, latest: &latest, state: &s)
                        if r > 0 {
                            refused += r
                            if refusedNames.count < 5, !refusedNames.contains(metric.name) {
                                refusedNames.append(metric.name)
                            }
                        }
                    }
                }
                if settings.targetInfo, latest > 0, let labels = labelBuilder.targetInfoLabels(resource: rm.resource) {
                    let family = MetricFamily(name: "target_info", type: .gauge, help: "Target metadata", unit: "")
                    _ = upsert(
                        family: family, labels: labels, time: latest, start: 0, stale: false, exemplar: nil,
                        now: nowNanos, state: &s
                    ) { _ in .number(1) }
                }
            }
            seriesGauge.set(s.entries.count)
        }
        refusedSeries.add(refused)
        guard refused > 0 else { return .accepted }
        return ConsumeResult(
            rejectedItems: refused,
            message:
                "max_series_per_metric (\(settings.maxSeriesPerMetric)) reached for \(refusedNames.joined(separator: ", "))"
        )
    }

    private func apply(
        _ metric: Metric, context: PrometheusLabelBuilder.Context, contextID: Int, now: UInt64,
        latest: inout UInt64, state s: inout State
    ) -> Int {
        var refused = 0
        func family(_ type: FamilyType, _ promType: PrometheusMetricType) -> MetricFamily {
            let name =
                settings.addSuffixes
                ? namer.metricName(metric.name, unit: metric.unit, type: promType)
                : namer.metricName(metric.name, unit: "", type: .unknown)
            return MetricFamily(name: name, type: type, help: metric.description, unit: metric.unit)
        }
        switch metric.data {
        case .empty:
            break
        case .gauge(let points):
            let f = family(.gauge, .gauge)
            for p in points {
                latest = max(latest, p.timeUnixNano)
                let v = p.value.doubleValue
                if !upsert(
                    family: f, point: p.attributes, context: context, contextID: contextID,
                    time: p.timeUnixNano, start: p.startTimeUnixNano, stale: p.flags.contains(.noRecordedValue),
                    exemplar: p.exemplars.last, now: now, state: &s, update: { _ in .number(v) })
                {
                    refused += 1
                }
            }
        case .sum(let sum):
            // Prometheus names a non-monotonic sum like an untyped metric (no `_ratio`), though it is a gauge.
            let f = sum.isMonotonic ? family(.counter, .counter) : family(.gauge, .unknown)
            let delta = sum.temporality == .delta
            for p in sum.dataPoints {
                latest = max(latest, p.timeUnixNano)
                let v = p.value.doubleValue
                let ok = upsert(
                    family: f, point: p.attributes, context: context, contextID: contextID,
                    time: p.timeUnixNano, start: p.startTimeUnixNano, stale: p.flags.contains(.noRecordedValue),
                    exemplar: p.exemplars.last, now: now, delta: delta, state: &s
                ) { old in
                    if delta, case .number(let previous)? = old { return .number(previous + v) }
                    return .number(v)
                }
                if !ok { refused += 1 }
            }
        case .histogram(let h):
            let f = family(.histogram, .histogram)
            let delta = h.temporality == .delta
            for p in h.dataPoints {
                latest = max(latest, p.timeUnixNano)
                let counts = p.bucketCounts.isEmpty ? [p.count] : p.bucketCounts
                let bounds = p.bucketCounts.isEmpty ? [] : p.explicitBounds
                let new = ClassicHistogramValue(bounds: bounds, bucketCounts: counts, count: p.count, sum: p.sum ?? 0)
                let ok = upsert(
                    family: f, point: p.attributes, context: context, contextID: contextID,
                    time: p.timeUnixNano, start: p.startTimeUnixNano, stale: p.flags.contains(.noRecordedValue),
                    exemplar: p.exemplars.last, now: now, delta: delta, state: &s
                ) { old in
                    if delta, case .histogram(var acc)? = old, acc.bounds == new.bounds {
                        for i in acc.bucketCounts.indices { acc.bucketCounts[i] &+= new.bucketCounts[i] }
                        acc.count &+= new.count
                        acc.sum += new.sum
                        return .histogram(acc)
                    }
                    return .histogram(new)
                }
                if !ok { refused += 1 }
            }
        case .exponentialHistogram(let h):
            let f = family(.histogram, .histogram)
            let delta = h.temporality == .delta
            for p in h.dataPoints {
                latest = max(latest, p.timeUnixNano)
                let new = ExponentialHistogramValue(
                    scale: p.scale, zeroCount: p.zeroCount, zeroThreshold: p.zeroThreshold,
                    positiveOffset: p.positive.offset, positiveCounts: p.positive.bucketCounts,
                    negativeOffset: p.negative.offset, negativeCounts: p.negative.bucketCounts, count: p.count,
                    sum: p.sum ?? 0)
                let ok = upsert(
                    family: f, point: p.attributes, context: context, contextID: contextID,
                    time: p.timeUnixNano, start: p.startTimeUnixNano, stale: p.flags.contains(.noRecordedValue),
                    exemplar: p.exemplars.last, now: now, delta: delta, state: &s
                ) { old in
                    if delta, case .exponentialHistogram(let acc)? = old {
                        return .exponentialHistogram(ExponentialMerge.merge(acc, new))
                    }
                    return .exponentialHistogram(new)
                }
                if !ok { refused += 1 }
            }
        case .summary(let points):
            let f = family(.summary, .summary)
            for p in points {
                latest = max(latest, p.timeUnixNano)
                let value = SeriesValue.summary(
                    SummaryValue(
                        quantiles: p.quantileValues.map { ($0.quantile, $0.value) }, count: p.count, sum: p.sum))
                if !upsert(
                    family: f, point: p.attributes, context: context, contextID: contextID,
                    time: p.timeUnixNano, start: p.startTimeUnixNano, stale: p.flags.contains(.noRecordedValue),
                    exemplar: nil, now: now, state: &s, update: { _ in value })
                {
                    refused += 1
                }
            }
        }
        return refused
    }

    /// Inserts or updates one series. Returns false only when the cardinality limit refused a new series.
    private func upsert(
        family: MetricFamily, point: Attributes, context: PrometheusLabelBuilder.Context, contextID: Int, time: UInt64,
        start: UInt64, stale: Bool, exemplar: Exemplar?, now: UInt64, delta: Bool = false, state s: inout State,
        update: (SeriesValue?) -> SeriesValue
    ) -> Bool {
        let pointKey =
            PointCache.PointKey.cacheable(point)
            ? PointCache.PointKey(family: family.name, context: contextID, attributes: point) : nil
        if let pointKey, let i = s.cache.series(pointKey) {
            return upsert(
                family: family, labels: [], found: i, time: time, start: start, stale: stale, exemplar: exemplar,
                now: now, delta: delta, state: &s, update: update)
        }
        return upsert(
            family: family, labels: labelBuilder.labels(point: point, context: context), pointKey: pointKey, time: time,
            start: start, stale: stale, exemplar: exemplar, now: now, delta: delta, state: &s, update: update)
    }

    /// Inserts or updates the series `found` (from the point cache), or else the one with `labels`, remembering it
    /// under `pointKey`. Returns false only when the cardinality limit refused a new series.
    private func upsert(
        family: MetricFamily, labels: [PrometheusLabel], found: Int? = nil, pointKey: PointCache.PointKey? = nil,
        time: UInt64, start: UInt64, stale: Bool, exemplar: Exemplar?, now: UInt64, delta: Bool = false,
        state s: inout State, update: (SeriesValue?) -> SeriesValue
    ) -> Bool {
        if let i = found ?? s.index[Key(family: family.name, labels: labels)] {
            if found == nil, let pointKey {
                s.cache.remember(pointKey, series: i, bound: 2 * s.entries.count + 10_000)
            }
            // Read and written in place: copying the entry out and back would retain and release all its storage.
            let time0 = s.entries[i].series.timeUnixNano
            // A point that is not newer than what we hold would make a reader go back in time: drop it.
            if time <= time0 {
                if time < time0 || update(delta ? nil : s.entries[i].series.value) != s.entries[i].series.value
                    || stale != s.entries[i].series.isStale
                {
                    outOfOrder.add()
                }
                s.entries[i].touchedAtNanos = now
                return true
            }
            let sameType = s.entries[i].series.family.type == family.type
            var accumulated: SeriesValue?
            if delta {
                // A delta whose window starts before the last one ended overlaps it: count it once only.
                if start != 0, start < time0, sameType {
                    outOfOrder.add()
                    return true
                }
                accumulated = sameType ? s.entries[i].series.value : nil
            }
            let start0 = s.entries[i].series.startTimeUnixNano
            let reset = !delta && start != 0 && start0 != 0 && start != start0
            if s.entries[i].series.family != family { s.entries[i].series.family = family }
            if !stale {
                let value = update(accumulated)
                s.entries[i].series.value = value
            }
            s.entries[i].series.timeUnixNano = time
            if reset || !sameType { s.entries[i].series.startTimeUnixNano = start }
            s.entries[i].series.isStale = stale
            s.entries[i].series.exemplar = exemplar
            s.seq += 1
            s.entries[i].seq = s.seq
            s.entries[i].touchedAtNanos = now
            return true
        }
        let count = s.familyCounts[family.name, default: 0]
        guard count < settings.maxSeriesPerMetric else {
            s.refusedByFamily[family.name, default: 0] += 1
            return false
        }
        s.familyCounts[family.name] = count + 1
        s.seq += 1
        let series = Series(
            family: family, labels: labels, value: update(nil), startTimeUnixNano: start, timeUnixNano: time,
            isStale: stale, exemplar: exemplar)
        s.index[Key(family: family.name, labels: labels)] = s.entries.count
        if let pointKey { s.cache.remember(pointKey, series: s.entries.count, bound: 2 * s.entries.count + 10_000) }
        s.entries.append(Entry(series: series, seq: s.seq, touchedAtNanos: now))
        return true
    }

    // MARK: - Readers

    /// Registers a reader (a remote-write exporter); its first `changes` returns every series.
    public func makeReader() -> Int {
        state.withLock { s in
            let id = s.nextReader
            s.nextReader += 1
            s.cursors[id] = 0
            return id
        }
    }

    /// Series updated, and series expired, since this reader's last call. Also expires stale series.
    public func changes(for reader: Int) -> Changes {
        expire()
        return state.withLock { s in
            let cursor = s.cursors[reader] ?? 0
            var updated: [Series] = []
            for entry in s.entries where entry.seq > cursor { updated.append(entry.series) }
            let removed = s.tombstones.filter { $0.seq > cursor }.map(\.series)
            s.cursors[reader] = s.seq
            // Tombstones every reader has seen are no longer needed.
            let oldest = s.cursors.values.min() ?? s.seq
            s.tombstones.removeAll { $0.seq <= oldest }
            return Changes(updated: updated, removed: removed, removedAtMs: Int64(now() / 1_000_000))
        }
    }

    /// Every live series that has a value (stale ones left out), ordered by family name then labels: the pull
    /// endpoint's deterministic order.
    public func snapshot() -> [Series] {
        expire()
        var all: [Series] = state.withLock { s in s.entries.compactMap { $0.series.isStale ? nil : $0.series } }
        all.sort { a, b in
            if a.family.name != b.family.name { return a.family.name < b.family.name }
            return a.labels.lexicographicallyPrecedes(b.labels)
        }
        return all
    }

    /// Removes series that received nothing for `staleAfter`.
    public func expire() {
        let nowNanos = now()
        let limit =
            UInt64(settings.staleAfter.components.seconds) * 1_000_000_000
            + UInt64(settings.staleAfter.components.attoseconds / 1_000_000_000)
        var removedCount = 0
        state.withLock { s in
            var i = 0
            while i < s.entries.count {
                let entry = s.entries[i]
                if nowNanos > entry.touchedAtNanos, nowNanos - entry.touchedAtNanos > limit {
                    s.seq += 1
                    if !s.cursors.isEmpty { s.tombstones.append(Tombstone(series: entry.series, seq: s.seq)) }
                    let key = Key(family: entry.series.family.name, labels: entry.series.labels)
                    s.index.removeValue(forKey: key)
                    s.familyCounts[key.family, default: 1] -= 1
                    if s.familyCounts[key.family] == 0 { s.familyCounts.removeValue(forKey: key.family) }
                    let last = s.entries.count - 1
                    if i != last {
                        s.entries[i] = s.entries[last]
                        let moved = s.entries[i].series
                        s.index[Key(family: moved.family.name, labels: moved.labels)] = i
                    }
                    s.entries.removeLast()
                    removedCount += 1
                } else {
                    i += 1
                }
            }
            // Series moved: the cached indices are wrong now.
            if removedCount > 0 { s.cache.forgetPoints() }
            seriesGauge.set(s.entries.count)
        }
        expired.add(removedCount)
    }
}

/// Feeds one metric store from a pipeline, counting what is accepted for each exporter that reads the store.
public struct StoreIngestConsumer: Consumer, MergeableConsumer {
    public let store: MetricStore
    public let sent: [TelemetryCounter]

    public init(store: MetricStore, sent: [TelemetryCounter]) {
        self.store = store
        self.sent = sent
    }

    /// The input of exporter `exporter` reading `store`: what it accepts counts as sent by that exporter (the
    /// Collector's `otelcol_exporter_sent_metric_points_total`).
    public init(store: MetricStore, exporter: String, registry: TelemetryRegistry) {
        let sent = registry.counter(
            "otelcol_exporter_sent_metric_points_total",
            help: "Number of metric_points successfully sent to destination.",
            labels: ["exporter": exporter])
        self.init(store: store, sent: [sent])
    }

    public func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult {
        let result = store.ingest(data)
        let accepted = data.dataPointCount - result.rejectedItems
        for counter in sent { counter.add(accepted) }
        return result
    }

    public var sink: ObjectIdentifier { ObjectIdentifier(store) }

    public func merging(_ other: any MergeableConsumer) -> any MergeableConsumer {
        guard let other = other as? StoreIngestConsumer, other.store === store else { return self }
        return StoreIngestConsumer(store: store, sent: sent + other.sent)
    }
}
