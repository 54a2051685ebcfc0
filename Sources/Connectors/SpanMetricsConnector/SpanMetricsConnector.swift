public import GatewayCore
public import Logging
internal import OTLPWire
public import SelfTelemetry
internal import Synchronization

/// The `spanmetrics` connector: consumes spans as an exporter of a traces pipeline and feeds a calls counter and
/// a duration histogram per service, span name, span kind, status code and configured dimensions into metrics
/// pipelines. Names follow Tempo's metrics generator (`traces_spanmetrics_calls_total`,
/// `traces_spanmetrics_latency_bucket` in seconds), so Grafana's Tempo views work on them.
///
/// Cardinality is bounded: past `maxSeries` distinct dimension sets, spans count into one overflow series
/// carrying `otel.metric.overflow="true"`.
public final class SpanMetricsConnector: Consumer, Sendable {
    public struct Dimension: Sendable, Hashable {
        public var name: String
        public var defaultValue: String?
        public init(name: String, defaultValue: String? = nil) {
            self.name = name
            self.defaultValue = defaultValue
        }
    }

    public struct Settings: Sendable {
        /// Histogram bounds in seconds.
        public var buckets: [Double]
        public var dimensions: [Dimension]
        public var exemplars: Bool
        public var flushInterval: Duration
        /// `traces.spanmetrics` gives `traces_spanmetrics_calls_total` and `traces_spanmetrics_latency_*`.
        public var namespace: String
        public var delta: Bool
        public var maxSeries: Int

        public init(
            buckets: [Double] = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15],
            dimensions: [Dimension] = [], exemplars: Bool = false, flushInterval: Duration = .seconds(15),
            namespace: String = "traces.spanmetrics", delta: Bool = false, maxSeries: Int = 20_000
        ) {
            self.buckets = buckets
            self.dimensions = dimensions
            self.exemplars = exemplars
            self.flushInterval = flushInterval
            self.namespace = namespace
            self.delta = delta
            self.maxSeries = maxSeries
        }
    }

    /// One dimension set's aggregates. `key` is the set's canonical bytes (see `KeyBuilder`), so a span finds its
    /// series by hashing a reused buffer, without building strings; `attributes` is built once, for the series'
    /// first span.
    struct Series {
        var key: [UInt8]
        var attributes: Attributes
        /// The next series whose key has the same hash, or -1.
        var nextSameHash = -1
        var calls: UInt64 = 0
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var exemplar: Exemplar?
        var updated = false
    }

    struct State: @unchecked Sendable {
        var series: [Series] = []
        /// Key hash to the first series with that hash.
        var index: [Int: Int] = [:]
        var startTime: UInt64
        /// The key being built for the current span (reused).
        var scratch: [UInt8] = []
        /// The current resource's `service.name` (reused).
        var service: [UInt8] = []
        var serviceResource = -1
        var overflow = 0
    }

    private let settings: Settings
    private let next: any Consumer<Metrics>
    private let logger: Logger
    private let state: Mutex<State>
    private let overflowed: TelemetryCounter
    private let seriesGauge: TelemetryGauge
    private let now: @Sendable () -> UInt64

    public init(
        name: String, settings: Settings, next: any Consumer<Metrics>, registry: TelemetryRegistry, logger: Logger,
        now: @escaping @Sendable () -> UInt64
    ) {
        self.settings = settings
        self.next = next
        self.logger = logger
        self.now = now
        self.state = Mutex(State(startTime: now()))
        overflowed = registry.counter(
            "otlp_gateway_spanmetrics_overflow_spans_total",
            help: "Spans counted into the overflow series because max_series was reached.", labels: ["connector": name])
        seriesGauge = registry.gauge(
            "otlp_gateway_spanmetrics_series", help: "Dimension sets tracked by the spanmetrics connector.",
            labels: ["connector": name])
    }

    static func kindName(_ k: SpanKind) -> String {
        switch k {
        case .server: return "SPAN_KIND_SERVER"
        case .client: return "SPAN_KIND_CLIENT"
        case .producer: return "SPAN_KIND_PRODUCER"
        case .consumer: return "SPAN_KIND_CONSUMER"
        case .internal: return "SPAN_KIND_INTERNAL"
        default: return "SPAN_KIND_UNSPECIFIED"
        }
    }

    static func statusName(_ c: SpanStatus.Code) -> String {
        switch c {
        case .ok: return "STATUS_CODE_OK"
        case .error: return "STATUS_CODE_ERROR"
        default: return "STATUS_CODE_UNSET"
        }
    }

    public func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        let overflow = state.withLock { s in
            s.overflow = 0
            // Forwarded traces are read in place; the model only when the bytes are not there or unreadable (the
            // receiver's validation rules that out, so no span is counted twice in practice).
            if let wire = data.wire {
                s.serviceResource = -1
                let complete = OTLPProtobuf.forEachWireSpan(wire) { record($0, &s) }
                if !complete {
                    logger.warning("spanmetrics: unreadable span bytes; the rest of the batch is not counted")
                }
            } else {
                for rs in data.resourceSpans {
                    let service = rs.resource.attributes["service.name"]?.displayString ?? "unknown_service"
                    for ss in rs.scopeSpans {
                        for span in ss.spans { record(span, service: service, resource: rs.resource, &s) }
                    }
                }
            }
            seriesGauge.set(s.series.count)
            return s.overflow
        }
        overflowed.add(overflow)
        return .accepted
    }

    /// Counts a span read from the wire.
    private func record(_ span: WireSpan, _ s: inout State) {
        if span.resourceOrdinal != s.serviceResource {
            s.serviceResource = span.resourceOrdinal
            s.service.removeAll(keepingCapacity: true)
            if let v = span.resourceAttribute("service.name") {
                if let bytes = span.stringValue(v) {
                    s.service.append(contentsOf: span.slice(bytes))
                } else {
                    s.service.append(contentsOf: span.value(v).displayString.utf8)
                }
            } else {
                s.service.append(contentsOf: "unknown_service".utf8)
            }
        }
        let service = s.service
        s.scratch.removeAll(keepingCapacity: true)
        service.withUnsafeBytes { s.scratch.appendKeyPart($0) }
        s.scratch.appendKeyPart(span.slice(span.name))
        s.scratch.append(UInt8(truncatingIfNeeded: span.kind))
        s.scratch.append(UInt8(truncatingIfNeeded: span.statusCode))
        for d in settings.dimensions {
            if let v = span.spanAttribute(d.name) ?? span.resourceAttribute(d.name) {
                if let bytes = span.stringValue(v) {
                    s.scratch.appendKeyPart(span.slice(bytes))
                } else {
                    s.scratch.appendKeyPart(span.value(v).displayString)
                }
            } else if let fallback = d.defaultValue {
                s.scratch.appendKeyPart(fallback)
            } else {
                s.scratch.appendAbsentKeyPart()
            }
        }
        let index = lookup(&s) {
            attributes(
                service: String(decoding: service, as: UTF8.self), name: span.string(span.name),
                kind: SpanKind(rawValue: span.kind), status: SpanStatus.Code(rawValue: span.statusCode)
            ) { d in
                (span.spanAttribute(d.name) ?? span.resourceAttribute(d.name)).map { span.value($0).displayString }
            }
        }
        add(
            index, start: span.startTimeUnixNano, end: span.endTimeUnixNano, traceID: span.traceIDValue,
            spanID: span.spanIDValue, &s)
    }

    /// Counts a span of the model.
    private func record(_ span: Span, service: String, resource: Resource, _ s: inout State) {
        s.scratch.removeAll(keepingCapacity: true)
        s.scratch.appendKeyPart(service)
        s.scratch.appendKeyPart(span.name)
        s.scratch.append(UInt8(truncatingIfNeeded: span.kind.rawValue))
        s.scratch.append(UInt8(truncatingIfNeeded: span.status.code.rawValue))
        for d in settings.dimensions {
            if let v = span.attributes[d.name] ?? resource.attributes[d.name] {
                s.scratch.appendKeyPart(v.displayString)
            } else if let fallback = d.defaultValue {
                s.scratch.appendKeyPart(fallback)
            } else {
                s.scratch.appendAbsentKeyPart()
            }
        }
        let index = lookup(&s) {
            attributes(service: service, name: span.name, kind: span.kind, status: span.status.code) { d in
                (span.attributes[d.name] ?? resource.attributes[d.name])?.displayString
            }
        }
        add(
            index, start: span.startTimeUnixNano, end: span.endTimeUnixNano, traceID: span.traceID, spanID: span.spanID,
            &s)
    }

    /// The dimension set of a new series, as the metrics carry it.
    private func attributes(
        service: String, name: String, kind: SpanKind, status: SpanStatus.Code, value: (Dimension) -> String?
    ) -> Attributes {
        var attributes = [
            Attribute(key: "service", value: .string(service)),
            Attribute(key: "span_name", value: .string(name)),
            Attribute(key: "span_kind", value: .string(Self.kindName(kind))),
            Attribute(key: "status_code", value: .string(Self.statusName(status))),
        ]
        for d in settings.dimensions {
            if let v = value(d) ?? d.defaultValue { attributes.append(Attribute(key: d.name, value: .string(v))) }
        }
        return Attributes(attributes)
    }

    /// The series whose key is `s.scratch`, created with `makeAttributes` when new; past `maxSeries`, the overflow
    /// series.
    private func lookup(_ s: inout State, _ makeAttributes: () -> Attributes) -> Int {
        if let found = find(s.scratch, s) { return found }
        if s.series.count >= settings.maxSeries {
            s.overflow += 1
            if let found = find(Self.overflowKey, s) { return found }
            return insert(Self.overflowKey, ["otel.metric.overflow": .string("true")], &s)
        }
        return insert(s.scratch, makeAttributes(), &s)
    }

    /// Cannot be a normal key: those start with a 4-byte length.
    private static let overflowKey: [UInt8] = [0xFF]

    private static func hash(_ key: [UInt8]) -> Int {
        var hasher = Hasher()
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    private func find(_ key: [UInt8], _ s: State) -> Int? {
        var i = s.index[Self.hash(key)] ?? -1
        while i >= 0 {
            if s.series[i].key == key { return i }
            i = s.series[i].nextSameHash
        }
        return nil
    }

    private func insert(_ key: [UInt8], _ attributes: Attributes, _ s: inout State) -> Int {
        let i = s.series.count
        let h = Self.hash(key)
        s.series.append(
            Series(
                key: key, attributes: attributes, nextSameHash: s.index[h] ?? -1,
                bucketCounts: [UInt64](repeating: 0, count: settings.buckets.count + 1)))
        s.index[h] = i
        return i
    }

    private func add(_ i: Int, start: UInt64, end: UInt64, traceID: TraceID, spanID: SpanID, _ s: inout State) {
        let seconds = end > start ? Double(end - start) / 1e9 : 0
        s.series[i].calls += 1
        s.series[i].sum += seconds
        // Bucket i holds (bound[i-1], bound[i]]; the last one is everything above the largest bound.
        var bucket = settings.buckets.count
        for (b, bound) in settings.buckets.enumerated() where seconds <= bound {
            bucket = b
            break
        }
        s.series[i].bucketCounts[bucket] += 1
        if settings.exemplars, traceID.isValid {
            s.series[i].exemplar = Exemplar(
                timeUnixNano: end, value: .double(seconds), spanID: spanID, traceID: traceID)
        }
        s.series[i].updated = true
    }

    /// The current metrics (cumulative, or the deltas since the last flush); nil when nothing is tracked.
    public func collect() -> Metrics? {
        let time = now()
        let (points, start): ([(Attributes, Series)], UInt64) = state.withLock { s in
            let start = s.startTime
            var out: [(Attributes, Series)] = []
            for series in s.series where series.updated || !settings.delta {
                out.append((series.attributes, series))
            }
            if settings.delta {
                s.series.removeAll(keepingCapacity: true)
                s.index.removeAll(keepingCapacity: true)
                s.startTime = time
            }
            return (out, start)
        }
        guard !points.isEmpty else { return nil }
        let sorted = points.sorted {
            $0.0.lexicographicallyPrecedes($1.0) { ($0.key, $0.value.displayString) < ($1.key, $1.value.displayString) }
        }
        let temporality: AggregationTemporality = settings.delta ? .delta : .cumulative
        let calls = Metric(
            name: settings.namespace + ".calls",
            description: "Number of spans, by service, span name, kind and status.",
            data: .sum(
                Sum(
                    dataPoints: sorted.map {
                        NumberDataPoint(
                            attributes: $0.0, startTimeUnixNano: start, timeUnixNano: time,
                            value: .int(Int64($0.1.calls)))
                    }, temporality: temporality, isMonotonic: true)))
        let latency = Metric(
            name: settings.namespace + ".latency", description: "Span durations in seconds.",
            data: .histogram(
                Histogram(
                    dataPoints: sorted.map {
                        HistogramDataPoint(
                            attributes: $0.0, startTimeUnixNano: start, timeUnixNano: time, count: $0.1.calls,
                            sum: $0.1.sum,
                            bucketCounts: $0.1.bucketCounts, explicitBounds: settings.buckets,
                            exemplars: $0.1.exemplar.map { [$0] } ?? [])
                    }, temporality: temporality)))
        return Metrics(resourceMetrics: [
            ResourceMetrics(scopeMetrics: [
                ScopeMetrics(scope: InstrumentationScope(name: "otlp-gateway/spanmetrics"), metrics: [calls, latency])
            ])
        ])
    }

    /// Sends the metrics every `flushInterval` until cancelled, then once more.
    public func run() async { await run(clock: ContinuousClock()) }

    /// `run()` on `clock`.
    public func run<C: Clock>(clock: C) async where C.Duration == Duration {
        await Periodic.run(every: settings.flushInterval, clock: clock) { flush() }
    }

    public func flush() {
        guard let metrics = collect() else { return }
        do {
            _ = try next.consume(metrics)
        } catch {
            logger.warning("spanmetrics: the metrics pipeline refused a flush", metadata: ["error": "\(error)"])
        }
    }
}

/// A dimension set's canonical bytes, written into a reused buffer: each value length-prefixed (4 bytes), so no two
/// sets share bytes; an absent dimension is a length of all ones.
extension [UInt8] {
    mutating func appendKeyPart(_ bytes: UnsafeRawBufferPointer) {
        Swift.withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { append(contentsOf: $0) }
        append(contentsOf: bytes)
    }

    mutating func appendKeyPart(_ string: String) {
        var string = string
        string.withUTF8 { appendKeyPart(UnsafeRawBufferPointer($0)) }
    }

    mutating func appendAbsentKeyPart() {
        Swift.withUnsafeBytes(of: UInt32.max) { append(contentsOf: $0) }
    }
}
