public import ComponentKit
internal import GatewayCore

/// The `spanmetrics` connector, which turns spans into request-rate, error and duration metrics (RED):
/// `connectors.spanmetrics[/name]`. It is an exporter of `traces` pipelines and a receiver of `metrics`
/// pipelines.
///
/// Keys follow the Collector contrib connector, with explicit-bucket histograms only; `max_series` is ours.
/// Every series carries the dimensions `service.name`, `span.name`, `span.kind` and `status.code`, plus
/// those listed in `dimensions`.
public struct SpanMetricsConnectorConfig: Sendable, Equatable {
    /// The unit durations are recorded in: `histogram.unit`.
    public enum HistogramUnit: String, Sendable, CaseIterable {
        /// Milliseconds.
        case ms
        /// Seconds.
        case s
    }

    /// How sums and histograms accumulate between flushes: `aggregation_temporality`.
    public enum AggregationTemporality: String, Sendable, CaseIterable {
        /// Every flush carries the totals since the series started.
        case cumulative = "AGGREGATION_TEMPORALITY_CUMULATIVE"
        /// Every flush carries only what happened since the previous flush.
        case delta = "AGGREGATION_TEMPORALITY_DELTA"
    }

    /// One extra dimension: an element of `dimensions`.
    public struct Dimension: Sendable, Equatable {
        /// `name`: the span or resource attribute to use as a dimension (span attributes first). Required,
        /// not empty, not one of the four dimensions every series has, listed once.
        public var name: String
        /// `default`: the value used when neither the span nor its resource has the attribute; nil leaves
        /// the dimension off such series. Default nil.
        public var defaultValue: String?

        public init(name: String, defaultValue: String? = nil) {
            self.name = name
            self.defaultValue = defaultValue
        }
    }

    /// The Collector's default histogram buckets, 2ms to 15s.
    public static let defaultHistogramBuckets: [Duration] = [
        .milliseconds(2), .milliseconds(4), .milliseconds(6), .milliseconds(8), .milliseconds(10),
        .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
        .seconds(1), .milliseconds(1400), .seconds(2), .seconds(5), .seconds(10), .seconds(15),
    ]

    /// The dimensions every series has, which `dimensions` must not list again.
    public static let builtInDimensions = ["service.name", "span.name", "span.kind", "status.code"]

    /// `histogram.explicit.buckets`: the upper bounds of the duration histogram's buckets, Go durations,
    /// each greater than 0 and than the one before; at least one. Default 2ms, 4ms, 6ms, 8ms, 10ms, 50ms,
    /// 100ms, 200ms, 400ms, 800ms, 1s, 1400ms, 2s, 5s, 10s, 15s (`defaultHistogramBuckets`).
    public var histogramBuckets: [Duration]
    /// `histogram.unit`: `ms` or `s` (any case), the unit of the duration histogram. Default `ms`.
    public var histogramUnit: HistogramUnit
    /// `dimensions`: extra attributes to split series by, in order, each `{name, default}`. Default none.
    public var dimensions: [Dimension]
    /// `exemplars.enabled`: attach trace and span IDs of sample spans to the histogram as exemplars.
    /// Default false.
    public var exemplarsEnabled: Bool
    /// `metrics_flush_interval`: how often metrics are emitted into the metrics pipelines, greater than 0.
    /// Default `15s`.
    public var metricsFlushInterval: Duration
    /// `metrics_expiration`: a series without spans for this long is no longer emitted; 0 keeps every
    /// series forever (up to `max_series`). Default 0.
    public var metricsExpiration: Duration
    /// `namespace`: the prefix of the metric names, joined with `.` (`<namespace>.calls`,
    /// `<namespace>.duration`); empty or letters, digits, `_`, `.`, `-` and `/` starting with a letter.
    /// Default `traces.spanmetrics`, which Prometheus exporters write as Tempo's metrics-generator names
    /// (`traces_spanmetrics_calls_total`, …), so Tempo dashboards work unchanged; the Collector's default is
    /// `traces.span.metrics`.
    public var namespace: String
    /// `aggregation_temporality`: `AGGREGATION_TEMPORALITY_CUMULATIVE` or `AGGREGATION_TEMPORALITY_DELTA`
    /// (exact case). Default `cumulative`.
    public var aggregationTemporality: AggregationTemporality
    /// `dimensions_cache_size`: how many distinct dimension sets are cached, at least 1. Default 1000.
    public var dimensionsCacheSize: Int
    /// `max_series`: the most series kept (the cardinality bound); spans of new series beyond it are
    /// dropped from the metrics. At least 1. Ours. Default 20000.
    public var maxSeries: Int

    public init(
        histogramBuckets: [Duration] = SpanMetricsConnectorConfig.defaultHistogramBuckets,
        histogramUnit: HistogramUnit = .ms,
        dimensions: [Dimension] = [],
        exemplarsEnabled: Bool = false,
        metricsFlushInterval: Duration = .seconds(15),
        metricsExpiration: Duration = .zero,
        namespace: String = "traces.spanmetrics",
        aggregationTemporality: AggregationTemporality = .cumulative,
        dimensionsCacheSize: Int = 1000,
        maxSeries: Int = 20_000
    ) {
        self.histogramBuckets = histogramBuckets
        self.histogramUnit = histogramUnit
        self.dimensions = dimensions
        self.exemplarsEnabled = exemplarsEnabled
        self.metricsFlushInterval = metricsFlushInterval
        self.metricsExpiration = metricsExpiration
        self.namespace = namespace
        self.aggregationTemporality = aggregationTemporality
        self.dimensionsCacheSize = dimensionsCacheSize
        self.maxSeries = maxSeries
    }
}

extension SpanMetricsConnectorConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = SpanMetricsConnectorConfig()
        self.init()
        reader.section("histogram") { histogram in
            histogramUnit = histogram.choice("unit", default: defaults.histogramUnit)
            histogram.section("explicit") { explicit in
                histogramBuckets = Self.buckets(explicit) ?? defaults.histogramBuckets
            }
            if histogram.value("exponential") != nil {
                histogram.report("exponential", "exponential histograms are not supported yet; use explicit")
            }
        }
        dimensions = Self.dimensions(reader)
        exemplarsEnabled = reader.enabledSection("exemplars", default: defaults.exemplarsEnabled)
        metricsFlushInterval = reader.positiveDuration("metrics_flush_interval", default: defaults.metricsFlushInterval)
        metricsExpiration = reader.duration("metrics_expiration", default: defaults.metricsExpiration)
        namespace = Self.namespace(reader, default: defaults.namespace)
        aggregationTemporality = Self.temporality(reader, default: defaults.aggregationTemporality)
        dimensionsCacheSize = reader.int("dimensions_cache_size", default: defaults.dimensionsCacheSize, min: 1)
        maxSeries = reader.int("max_series", default: defaults.maxSeries, min: 1)
    }

    /// `buckets`: nil (the defaults) when absent, null or not a list; problems are reported per element.
    private static func buckets(_ reader: MappingReader) -> [Duration]? {
        let key = "buckets"
        guard let list = reader.durationList(key) else { return nil }
        if list.written == 0 {
            reader.report(key, "must list at least one bucket")
            return nil
        }
        var buckets: [Duration] = []
        for (index, value) in list.durations {
            let at = reader.path(key).appending(index: index)
            if value == .zero {
                reader.diagnostics.report(at, "must be greater than 0")
            } else if let previous = buckets.last, value <= previous {
                reader.diagnostics.report(
                    at,
                    "must be greater than the bucket before it (\(formatGoDuration(previous))), got \(formatGoDuration(value))"
                )
            } else {
                buckets.append(value)
            }
        }
        // With problems the configuration does not load, so what is returned then does not matter.
        return buckets
    }

    /// `dimensions`: a list of `{name, default}`, names unique and not built in.
    private static func dimensions(_ reader: MappingReader) -> [Dimension] {
        let key = "dimensions"
        let elements: [ConfigValue]
        switch reader.value(key) {
        case nil, .null?:
            return []
        case .sequence(let sequence)?:
            elements = sequence
        case let other?:
            reader.report(key, "expected a list of {name, default}, got \(other.summary)")
            return []
        }
        var dimensions: [Dimension] = []
        for (index, element) in elements.enumerated() {
            let at = reader.path(key).appending(index: index)
            switch element {
            case .scalar, .sequence:
                reader.diagnostics.report(at, "expected a mapping like {name: http.method}, got \(element.summary)")
                continue
            case .null, .mapping:
                break
            }
            let item = MappingReader(element, at: at, diagnostics: reader.diagnostics)
            defer { item.finish() }
            let name: String?
            switch item.value("name") {
            case nil, .null?:
                item.report("name", "required: the attribute to split series by")
                name = nil
            case .scalar(let text)?:
                name = text
            case let other?:
                item.report("name", "expected a string, got \(other.summary)")
                name = nil
            }
            let defaultValue = item.scalar("default", expected: "a string")
            guard let name else { continue }
            if name.isEmpty {
                item.report("name", "must not be empty")
            } else if builtInDimensions.contains(name) {
                item.report(
                    "name",
                    "\(quoted(name)) is a dimension of every series already (service.name, span.name, span.kind, status.code)"
                )
            } else if dimensions.contains(where: { $0.name == name }) {
                item.report("name", "\(quoted(name)) is listed more than once")
            } else {
                dimensions.append(Dimension(name: name, defaultValue: defaultValue))
            }
        }
        return dimensions
    }

    /// OpenTelemetry's instrument name rule, which `<namespace>.calls` must follow.
    private static func namespace(_ reader: MappingReader, default defaultValue: String) -> String {
        let key = "namespace"
        let text = reader.string(key, default: defaultValue)
        let valid =
            text.isEmpty
            || (text.count <= 200 && text.unicodeScalars.first!.isASCIILetter
                && text.unicodeScalars.allSatisfy {
                    $0.isASCIILetter || $0.isASCIIDigit || "_.-/".unicodeScalars.contains($0)
                })
        guard valid else {
            reader.report(
                key,
                "expected a name like traces.spanmetrics (letters, digits, _ . - /, starting with a letter), got \(quoted(text))"
            )
            return defaultValue
        }
        return text
    }

    /// `aggregation_temporality`, the Collector's exact spelling.
    private static func temporality(
        _ reader: MappingReader, default defaultValue: AggregationTemporality
    ) -> AggregationTemporality {
        let key = "aggregation_temporality"
        let expected = "one of " + AggregationTemporality.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = reader.scalar(key, expected: expected) else { return defaultValue }
        guard let value = AggregationTemporality(rawValue: text) else {
            reader.report(key, "expected \(expected), got \(quoted(text))")
            return defaultValue
        }
        return value
    }
}
