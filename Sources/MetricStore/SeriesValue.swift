/// The Prometheus type of a family, as written in `# TYPE` and remote-write metadata.
public enum FamilyType: String, Sendable, Hashable {
    case counter, gauge, histogram, summary
}

/// A metric family: the translated name (with unit and `_total` suffixes, without `_bucket`/`_sum`/`_count`).
public struct MetricFamily: Sendable, Hashable {
    public var name: String
    public var type: FamilyType
    public var help: String
    public var unit: String

    public init(name: String, type: FamilyType, help: String, unit: String) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// Classic (explicit-bucket) histogram state: per-bucket counts, as OTLP sends them (not cumulative).
public struct ClassicHistogramValue: Sendable, Hashable {
    public var bounds: [Double]
    public var bucketCounts: [UInt64]
    public var count: UInt64
    public var sum: Double

    public init(bounds: [Double], bucketCounts: [UInt64], count: UInt64, sum: Double) {
        self.bounds = bounds
        self.bucketCounts = bucketCounts
        self.count = count
        self.sum = sum
    }
}

/// Base-2 exponential histogram state (OTLP's exponential histogram, Prometheus' native histogram).
public struct ExponentialHistogramValue: Sendable, Hashable {
    public var scale: Int32
    public var zeroCount: UInt64
    public var zeroThreshold: Double
    public var positiveOffset: Int32
    public var positiveCounts: [UInt64]
    public var negativeOffset: Int32
    public var negativeCounts: [UInt64]
    public var count: UInt64
    public var sum: Double

    public init(
        scale: Int32, zeroCount: UInt64, zeroThreshold: Double, positiveOffset: Int32, positiveCounts: [UInt64],
        negativeOffset: Int32, negativeCounts: [UInt64], count: UInt64, sum: Double
    ) {
        self.scale = scale
        self.zeroCount = zeroCount
        self.zeroThreshold = zeroThreshold
        self.positiveOffset = positiveOffset
        self.positiveCounts = positiveCounts
        self.negativeOffset = negativeOffset
        self.negativeCounts = negativeCounts
        self.count = count
        self.sum = sum
    }
}

public struct SummaryValue: Sendable, Hashable {
    public var quantiles: [(quantile: Double, value: Double)]
    public var count: UInt64
    public var sum: Double

    public init(quantiles: [(quantile: Double, value: Double)], count: UInt64, sum: Double) {
        self.quantiles = quantiles
        self.count = count
        self.sum = sum
    }

    public static func == (a: SummaryValue, b: SummaryValue) -> Bool {
        a.count == b.count && a.sum == b.sum && a.quantiles.count == b.quantiles.count
            && zip(a.quantiles, b.quantiles).allSatisfy { $0.quantile == $1.quantile && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(sum)
        for q in quantiles {
            hasher.combine(q.quantile)
            hasher.combine(q.value)
        }
    }
}

/// The current value of one series.
public enum SeriesValue: Sendable, Hashable {
    case number(Double)
    case histogram(ClassicHistogramValue)
    case exponentialHistogram(ExponentialHistogramValue)
    case summary(SummaryValue)
}
