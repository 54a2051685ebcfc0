public import GatewayCore
public import Logging
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

    struct Key: Hashable {
        var attributes: Attributes
    }

    struct Series {
        var calls: UInt64 = 0
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var exemplar: Exemplar?
        var updated = false
    }

    struct State: @unchecked Sendable {
        var series: [Key: Series] = [:]
        var startTime: UInt64
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
        var overflow = 0
        state.withLock { s in
            for rs in data.resourceSpans {
                let service = rs.resource.attributes["service.name"]?.displayString ?? "unknown_service"
                for ss in rs.scopeSpans {
                    for span in ss.spans {
                        var attributes = [
                            Attribute(key: "service", value: .string(service)),
                            Attribute(key: "span_name", value: .string(span.name)),
                            Attribute(key: "span_kind", value: .string(Self.kindName(span.kind))),
                            Attribute(key: "status_code", value: .string(Self.statusName(span.status.code))),
                        ]
                        for d in settings.dimensions {
                            if let v = span.attributes[d.name] ?? rs.resource.attributes[d.name] {
                                attributes.append(Attribute(key: d.name, value: .string(v.displayString)))
                            } else if let fallback = d.defaultValue {
                                attributes.append(Attribute(key: d.name, value: .string(fallback)))
                            }
                        }
                        var key = Key(attributes: Attributes(attributes))
                        if s.series[key] == nil, s.series.count >= settings.maxSeries {
                            key = Key(attributes: ["otel.metric.overflow": .string("true")])
                            overflow += 1
                        }
                        let seconds =
                            span.endTimeUnixNano > span.startTimeUnixNano
                            ? Double(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9 : 0
                        var series =
                            s.series[key]
                            ?? Series(bucketCounts: [UInt64](repeating: 0, count: settings.buckets.count + 1))
                        series.calls += 1
                        series.sum += seconds
                        // Bucket i holds (bound[i-1], bound[i]]; the last one is everything above the largest bound.
                        var index = settings.buckets.count
                        for (i, bound) in settings.buckets.enumerated() where seconds <= bound {
                            index = i
                            break
                        }
                        series.bucketCounts[index] += 1
                        if settings.exemplars, span.traceID.isValid {
                            series.exemplar = Exemplar(
                                timeUnixNano: span.endTimeUnixNano, value: .double(seconds), spanID: span.spanID,
                                traceID: span.traceID)
                        }
                        series.updated = true
                        s.series[key] = series
                    }
                }
            }
            seriesGauge.set(s.series.count)
        }
        overflowed.add(overflow)
        return .accepted
    }

    /// The current metrics (cumulative, or the deltas since the last flush); nil when nothing is tracked.
    public func collect() -> Metrics? {
        let time = now()
        let (points, start): ([(Attributes, Series)], UInt64) = state.withLock { s in
            let start = s.startTime
            var out: [(Attributes, Series)] = []
            for (key, series) in s.series where series.updated || !settings.delta {
                out.append((key.attributes, series))
            }
            if settings.delta {
                s.series.removeAll(keepingCapacity: true)
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
