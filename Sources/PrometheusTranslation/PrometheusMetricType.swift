public import GatewayCore

/// The Prometheus type of a metric family.
public enum PrometheusMetricType: Sendable, Hashable {
    case gauge
    case counter
    case histogram
    case summary
    case unknown
}

extension PrometheusMetricType {
    /// The type Prometheus records for an OTLP metric: gauges and non-monotonic sums are gauges, monotonic sums are
    /// counters, explicit and exponential histograms are histograms.
    ///
    /// This is the exposition type, not the naming type: a non-monotonic sum is a `.gauge` here but must not get the
    /// `_ratio` suffix, so name metrics with ``PrometheusNamer/metricName(for:)``.
    public init(_ data: MetricData) {
        switch data {
        case .empty: self = .unknown
        case .gauge: self = .gauge
        case .sum(let sum): self = sum.isMonotonic ? .counter : .gauge
        case .histogram, .exponentialHistogram: self = .histogram
        case .summary: self = .summary
        }
    }
}
