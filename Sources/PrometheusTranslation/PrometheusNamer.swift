public import GatewayCore

/// Turns OTLP metric names and attribute keys into Prometheus metric and label names, as Prometheus' OTLP translator
/// does.
///
/// Copies are cheap and share one ``PrometheusNameCache``, so build a namer once and reuse it on every data point.
public struct PrometheusNamer: Sendable {
    /// How names are translated.
    public let strategy: PrometheusTranslationStrategy
    /// Prefixed to every metric name with a `_` (empty: none). Used as given, as Prometheus does.
    public let namespace: String
    /// The memo of translated names shared by copies of this namer.
    public let cache: PrometheusNameCache

    /// A namer for `strategy`; `namespace` (default none) is prefixed to every metric name.
    public init(
        strategy: PrometheusTranslationStrategy = .underscoreEscaping,
        namespace: String = "",
        cache: PrometheusNameCache = PrometheusNameCache()
    ) {
        self.strategy = strategy
        self.namespace = namespace
        self.cache = cache
    }

    /// The family name for an OTLP metric, with unit and type suffixes per the strategy; the exporter appends
    /// `_bucket`, `_sum` and `_count` itself.
    ///
    /// `.counter` (monotonic sums, whatever their temporality) gets `_total`; `.gauge` with unit `1` gets `_ratio`;
    /// other types get only the unit suffix. Prometheus names non-monotonic sums without `_ratio` although it
    /// exposes them as gauges: pass `.unknown` for them, or use ``metricName(for:)``.
    ///
    /// Returns the empty string where Prometheus rejects the metric (the escaped name is empty or only underscores).
    public func metricName(_ name: String, unit: String, type: PrometheusMetricType) -> String {
        let kind: MetricNameKind
        switch type {
        case .counter: kind = .monotonicCounter
        case .gauge: kind = .gauge
        case .histogram, .summary, .unknown: kind = .other
        }
        return metricName(name, unit: unit, kind: kind)
    }

    /// The family name for `metric`, deriving the naming type from its data as Prometheus does (monotonic sums are
    /// counters, non-monotonic sums get no type suffix).
    public func metricName(for metric: Metric) -> String {
        let kind: MetricNameKind
        switch metric.data {
        case .gauge: kind = .gauge
        case .sum(let sum): kind = sum.isMonotonic ? .monotonicCounter : .other
        case .empty, .histogram, .exponentialHistogram, .summary: kind = .other
        }
        return metricName(metric.name, unit: metric.unit, kind: kind)
    }

    /// The name of the series that carries resource attributes: `target_info`, after the namespace if any.
    public var targetInfoMetricName: String {
        namespace.isEmpty ? "target_info" : namespace + "_target_info"
    }

    /// A label name from an attribute key.
    ///
    /// Under `.underscoreEscaping`, every character outside `[a-zA-Z0-9]` becomes `_` (runs are kept), a leading
    /// digit gets a `key_` prefix and a single leading `_` a `key` prefix (`__` is kept). Under `.noTranslation` the
    /// key is kept. Returns the empty string where Prometheus rejects the key (empty, or only underscores).
    public func labelName(_ key: String) -> String {
        guard strategy.escapes else { return PrometheusNameRules.utf8LabelName(key) }
        if PrometheusNameRules.isLabelNameKeptAsIs(key) { return key }
        return cache.labelName(key) { PrometheusNameRules.escapedLabelName(key) }
    }

    func metricName(_ name: String, unit: String, kind: MetricNameKind) -> String {
        guard strategy.addsSuffixes else {
            return namespace.isEmpty ? name : namespace + "_" + name
        }
        return cache.metricName(name, unit: unit, kind: kind) {
            PrometheusNameRules.escapedMetricName(name, unit: unit, kind: kind, namespace: namespace)
        }
    }
}

/// The metric kinds that name translation tells apart.
enum MetricNameKind: UInt8, Sendable, Hashable {
    /// A monotonic sum: `_total`.
    case monotonicCounter
    /// A gauge: `_ratio` with unit `1`.
    case gauge
    /// Anything else: unit suffix only.
    case other
}
