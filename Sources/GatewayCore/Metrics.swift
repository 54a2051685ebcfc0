/// A batch of metrics grouped by resource and scope, as in `ExportMetricsServiceRequest`.
public struct Metrics: Sendable, Hashable {
    public var resourceMetrics: [ResourceMetrics]
    /// The request headers a receiver kept (`include_metadata`); not part of equality.
    public var metadata = ClientMetadata.empty

    public static func == (a: Metrics, b: Metrics) -> Bool { a.resourceMetrics == b.resourceMetrics }

    public func hash(into hasher: inout Hasher) { hasher.combine(resourceMetrics) }

    public init(resourceMetrics: [ResourceMetrics] = []) { self.resourceMetrics = resourceMetrics }

    /// The number of data points, the unit the Collector counts accepted and refused metrics in.
    public var dataPointCount: Int {
        var n = 0
        for r in resourceMetrics { for s in r.scopeMetrics { for m in s.metrics { n += m.data.dataPointCount } } }
        return n
    }

    public var metricCount: Int {
        var n = 0
        for r in resourceMetrics { for s in r.scopeMetrics { n += s.metrics.count } }
        return n
    }
}

/// Metrics of one resource, grouped by instrumentation scope (OTLP `ResourceMetrics`).
public struct ResourceMetrics: Sendable, Hashable {
    public var resource: Resource
    public var scopeMetrics: [ScopeMetrics]
    public var schemaURL: String

    public init(resource: Resource = Resource(), scopeMetrics: [ScopeMetrics] = [], schemaURL: String = "") {
        self.resource = resource
        self.scopeMetrics = scopeMetrics
        self.schemaURL = schemaURL
    }
}

/// Metrics recorded through one instrumentation scope (OTLP `ScopeMetrics`).
public struct ScopeMetrics: Sendable, Hashable {
    public var scope: InstrumentationScope
    public var metrics: [Metric]
    public var schemaURL: String

    public init(scope: InstrumentationScope = InstrumentationScope(), metrics: [Metric] = [], schemaURL: String = "") {
        self.scope = scope
        self.metrics = metrics
        self.schemaURL = schemaURL
    }
}

/// One metric: its identity and its points.
public struct Metric: Sendable, Hashable {
    public var name: String
    public var description: String
    public var unit: String
    public var data: MetricData
    public var metadata: Attributes

    public init(
        name: String, description: String = "", unit: String = "", data: MetricData, metadata: Attributes = Attributes()
    ) {
        self.name = name
        self.description = description
        self.unit = unit
        self.data = data
        self.metadata = metadata
    }
}

/// OTLP `AggregationTemporality`.
public enum AggregationTemporality: Int32, Sendable, Hashable {
    case unspecified = 0
    case delta = 1
    case cumulative = 2
}

/// The points of a metric, by OTLP kind.
public enum MetricData: Sendable, Hashable {
    /// A metric with no data set (OTLP allows it; it carries no points).
    case empty
    case gauge([NumberDataPoint])
    case sum(Sum)
    case histogram(Histogram)
    case exponentialHistogram(ExponentialHistogram)
    case summary([SummaryDataPoint])

    public var dataPointCount: Int {
        switch self {
        case .empty: return 0
        case .gauge(let p): return p.count
        case .sum(let s): return s.dataPoints.count
        case .histogram(let h): return h.dataPoints.count
        case .exponentialHistogram(let h): return h.dataPoints.count
        case .summary(let p): return p.count
        }
    }

    public var kindName: String {
        switch self {
        case .empty: return "Empty"
        case .gauge: return "Gauge"
        case .sum: return "Sum"
        case .histogram: return "Histogram"
        case .exponentialHistogram: return "ExponentialHistogram"
        case .summary: return "Summary"
        }
    }
}

/// A sum (counter or up-down counter) with its temporality and monotonicity (OTLP `Sum`).
public struct Sum: Sendable, Hashable {
    public var dataPoints: [NumberDataPoint]
    public var temporality: AggregationTemporality
    public var isMonotonic: Bool

    public init(dataPoints: [NumberDataPoint], temporality: AggregationTemporality, isMonotonic: Bool) {
        self.dataPoints = dataPoints
        self.temporality = temporality
        self.isMonotonic = isMonotonic
    }
}

/// An explicit-bucket histogram with its temporality (OTLP `Histogram`).
public struct Histogram: Sendable, Hashable {
    public var dataPoints: [HistogramDataPoint]
    public var temporality: AggregationTemporality

    public init(dataPoints: [HistogramDataPoint], temporality: AggregationTemporality) {
        self.dataPoints = dataPoints
        self.temporality = temporality
    }
}

/// A base-2 exponential histogram with its temporality (OTLP `ExponentialHistogram`).
public struct ExponentialHistogram: Sendable, Hashable {
    public var dataPoints: [ExponentialHistogramDataPoint]
    public var temporality: AggregationTemporality

    public init(dataPoints: [ExponentialHistogramDataPoint], temporality: AggregationTemporality) {
        self.dataPoints = dataPoints
        self.temporality = temporality
    }
}

/// An integer or floating-point point value, kept as sent.
public enum NumberValue: Sendable, Hashable {
    case int(Int64)
    case double(Double)

    public var doubleValue: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }
}

/// OTLP `DataPointFlags`.
public struct DataPointFlags: Sendable, Hashable, OptionSet {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The point marks that the series had no value (Prometheus: a stale marker).
    public static let noRecordedValue = DataPointFlags(rawValue: 1)
}

/// One measurement kept with a data point, with the trace and span it was recorded in (OTLP `Exemplar`).
public struct Exemplar: Sendable, Hashable {
    public var filteredAttributes: Attributes
    public var timeUnixNano: UInt64
    public var value: NumberValue
    public var spanID: SpanID
    public var traceID: TraceID

    public init(
        filteredAttributes: Attributes = Attributes(), timeUnixNano: UInt64, value: NumberValue,
        spanID: SpanID = .invalid, traceID: TraceID = .invalid
    ) {
        self.filteredAttributes = filteredAttributes
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.spanID = spanID
        self.traceID = traceID
    }
}

/// One gauge or sum value of a series at a time (OTLP `NumberDataPoint`).
public struct NumberDataPoint: Sendable, Hashable {
    public var attributes: Attributes
    public var startTimeUnixNano: UInt64
    public var timeUnixNano: UInt64
    public var value: NumberValue
    public var exemplars: [Exemplar]
    public var flags: DataPointFlags

    public init(
        attributes: Attributes = Attributes(), startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64, value: NumberValue,
        exemplars: [Exemplar] = [], flags: DataPointFlags = []
    ) {
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.exemplars = exemplars
        self.flags = flags
    }
}

/// One explicit-bucket histogram of a series at a time: count, sum, bucket counts and bounds.
public struct HistogramDataPoint: Sendable, Hashable {
    public var attributes: Attributes
    public var startTimeUnixNano: UInt64
    public var timeUnixNano: UInt64
    public var count: UInt64
    /// Absent when the SDK did not record it (presence is kept from the wire's optional field).
    public var sum: Double?
    public var bucketCounts: [UInt64]
    public var explicitBounds: [Double]
    public var exemplars: [Exemplar]
    public var flags: DataPointFlags
    public var min: Double?
    public var max: Double?

    public init(
        attributes: Attributes = Attributes(), startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64, count: UInt64,
        sum: Double? = nil, bucketCounts: [UInt64] = [], explicitBounds: [Double] = [], exemplars: [Exemplar] = [],
        flags: DataPointFlags = [], min: Double? = nil, max: Double? = nil
    ) {
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.bucketCounts = bucketCounts
        self.explicitBounds = explicitBounds
        self.exemplars = exemplars
        self.flags = flags
        self.min = min
        self.max = max
    }
}

/// One exponential histogram of a series at a time: scale, zero bucket, positive and negative buckets.
public struct ExponentialHistogramDataPoint: Sendable, Hashable {
    /// Consecutive buckets starting at index `offset` of the histogram's scale.
    public struct Buckets: Sendable, Hashable {
        public var offset: Int32
        public var bucketCounts: [UInt64]
        public init(offset: Int32 = 0, bucketCounts: [UInt64] = []) {
            self.offset = offset
            self.bucketCounts = bucketCounts
        }
    }

    public var attributes: Attributes
    public var startTimeUnixNano: UInt64
    public var timeUnixNano: UInt64
    public var count: UInt64
    public var sum: Double?
    public var scale: Int32
    public var zeroCount: UInt64
    public var positive: Buckets
    public var negative: Buckets
    public var flags: DataPointFlags
    public var exemplars: [Exemplar]
    public var min: Double?
    public var max: Double?
    public var zeroThreshold: Double

    public init(
        attributes: Attributes = Attributes(), startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64, count: UInt64,
        sum: Double? = nil, scale: Int32, zeroCount: UInt64 = 0, positive: Buckets = Buckets(),
        negative: Buckets = Buckets(), flags: DataPointFlags = [], exemplars: [Exemplar] = [], min: Double? = nil,
        max: Double? = nil, zeroThreshold: Double = 0
    ) {
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.scale = scale
        self.zeroCount = zeroCount
        self.positive = positive
        self.negative = negative
        self.flags = flags
        self.exemplars = exemplars
        self.min = min
        self.max = max
        self.zeroThreshold = zeroThreshold
    }
}

/// One summary of a series at a time: count, sum and quantiles (OTLP `SummaryDataPoint`).
public struct SummaryDataPoint: Sendable, Hashable {
    /// The value at one quantile (0 to 1).
    public struct ValueAtQuantile: Sendable, Hashable {
        public var quantile: Double
        public var value: Double
        public init(quantile: Double, value: Double) {
            self.quantile = quantile
            self.value = value
        }
    }

    public var attributes: Attributes
    public var startTimeUnixNano: UInt64
    public var timeUnixNano: UInt64
    public var count: UInt64
    public var sum: Double
    public var quantileValues: [ValueAtQuantile]
    public var flags: DataPointFlags

    public init(
        attributes: Attributes = Attributes(), startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64, count: UInt64,
        sum: Double, quantileValues: [ValueAtQuantile] = [], flags: DataPointFlags = []
    ) {
        self.attributes = attributes
        self.startTimeUnixNano = startTimeUnixNano
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.quantileValues = quantileValues
        self.flags = flags
    }
}

extension MetricData {
    /// Calls `body` with the attributes of every data point.
    public func forEachPointAttributes(_ body: (Attributes) -> Void) {
        switch self {
        case .empty: return
        case .gauge(let points): for p in points { body(p.attributes) }
        case .sum(let sum): for p in sum.dataPoints { body(p.attributes) }
        case .histogram(let h): for p in h.dataPoints { body(p.attributes) }
        case .exponentialHistogram(let h): for p in h.dataPoints { body(p.attributes) }
        case .summary(let points): for p in points { body(p.attributes) }
        }
    }

    /// Calls `body` with the attributes of every data point, to change in place.
    public mutating func editPointAttributes(_ body: (inout Attributes) -> Void) {
        switch self {
        case .empty:
            return
        case .gauge(var points):
            for i in points.indices { body(&points[i].attributes) }
            self = .gauge(points)
        case .sum(var sum):
            for i in sum.dataPoints.indices { body(&sum.dataPoints[i].attributes) }
            self = .sum(sum)
        case .histogram(var h):
            for i in h.dataPoints.indices { body(&h.dataPoints[i].attributes) }
            self = .histogram(h)
        case .exponentialHistogram(var h):
            for i in h.dataPoints.indices { body(&h.dataPoints[i].attributes) }
            self = .exponentialHistogram(h)
        case .summary(var points):
            for i in points.indices { body(&points[i].attributes) }
            self = .summary(points)
        }
    }
}
