public import ComponentKit

/// The `prometheus` exporter, which serves the current metrics for Prometheus to scrape:
/// `exporters.prometheus[/name]`.
///
/// Keys follow the Collector contrib exporter; `translation` and `max_series_per_metric` are ours. The
/// Collector's `translation_strategy` is accepted for its two strategies this gateway implements.
public struct PrometheusExporterConfig: Sendable, Equatable {
    /// `endpoint`: the listen address of the scrape endpoint, `host:port`. Default `127.0.0.1:9464`.
    public var endpoint: String
    /// `namespace`: a prefix for every metric name, joined with `_`; empty or matching
    /// `[a-zA-Z_][a-zA-Z0-9_]*`. Default empty (no prefix).
    public var namespace: String
    /// `const_labels`: labels added to every series. Names match `[a-zA-Z_][a-zA-Z0-9_]*` and do not start
    /// with `__`; values are not empty. Default none.
    public var constLabels: [String: String]
    /// `translation` (ours: `underscore_escaping` or `no_translation`), or the Collector's
    /// `translation_strategy` (`UnderscoreEscapingWithSuffixes` or `NoTranslation`), not both.
    /// Default `underscoreEscaping`.
    public var translation: PrometheusTranslationStrategy
    /// `add_metric_suffixes`: add unit and type suffixes to names (`_seconds`, `_total`); false leaves them
    /// off. Default true. With `translation_strategy` and no `add_metric_suffixes`, follows the strategy
    /// (`NoTranslation` adds none); writing both so that they disagree is a problem.
    public var addMetricSuffixes: Bool
    /// `resource_to_telemetry_conversion.enabled`: copy every resource attribute onto every series as a
    /// label. Default false.
    public var resourceToTelemetryConversionEnabled: Bool
    /// `promote_resource_attributes`: resource attribute keys copied onto every series as labels, in
    /// order, each once; not combined with `resource_to_telemetry_conversion.enabled`. Default none.
    public var promoteResourceAttributes: [String]
    /// `target_info.enabled`: serve a `target_info` series per resource carrying its attributes.
    /// Default true.
    public var targetInfoEnabled: Bool
    /// `metric_expiration`: a series not updated for this long is no longer served, greater than 0.
    /// Default `5m`.
    public var metricExpiration: Duration
    /// `max_series_per_metric`: series kept per metric name; new series beyond it are dropped. At least 1.
    /// Ours. Default 20000.
    public var maxSeriesPerMetric: Int
    /// `enable_open_metrics`: answer scrapes that accept it in the OpenMetrics text format (which carries
    /// exemplars) instead of the Prometheus text format. Default false.
    public var enableOpenMetrics: Bool
    /// `tls`: serve the scrape endpoint over https only (`cert_file`, `key_file`, `client_ca_file`, versions, as on
    /// the `otlp` receiver). Default nil (plain http).
    public var tls: ServerTLSConfig?

    public init(
        endpoint: String = "127.0.0.1:9464",
        namespace: String = "",
        constLabels: [String: String] = [:],
        translation: PrometheusTranslationStrategy = .underscoreEscaping,
        addMetricSuffixes: Bool = true,
        resourceToTelemetryConversionEnabled: Bool = false,
        promoteResourceAttributes: [String] = [],
        targetInfoEnabled: Bool = true,
        metricExpiration: Duration = .seconds(300),
        maxSeriesPerMetric: Int = 20_000,
        enableOpenMetrics: Bool = false,
        tls: ServerTLSConfig? = nil
    ) {
        self.tls = tls
        self.endpoint = endpoint
        self.namespace = namespace
        self.constLabels = constLabels
        self.translation = translation
        self.addMetricSuffixes = addMetricSuffixes
        self.resourceToTelemetryConversionEnabled = resourceToTelemetryConversionEnabled
        self.promoteResourceAttributes = promoteResourceAttributes
        self.targetInfoEnabled = targetInfoEnabled
        self.metricExpiration = metricExpiration
        self.maxSeriesPerMetric = maxSeriesPerMetric
        self.enableOpenMetrics = enableOpenMetrics
    }
}

extension PrometheusExporterConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = PrometheusExporterConfig()
        self.init()
        endpoint = reader.endpoint("endpoint", default: defaults.endpoint)
        namespace = reader.metricNamespace("namespace")
        constLabels = reader.labelMap("const_labels")
        let translation = reader.prometheusTranslation(default: defaults.translation)
        self.translation = translation.strategy
        let suffixesWritten = reader.contains("add_metric_suffixes")
        addMetricSuffixes = reader.bool("add_metric_suffixes", default: translation.collectorSuffixes ?? true)
        if let strategySuffixes = translation.collectorSuffixes, suffixesWritten, strategySuffixes != addMetricSuffixes
        {
            reader.report(
                "add_metric_suffixes",
                "\(addMetricSuffixes) contradicts translation_strategy, which \(strategySuffixes ? "adds" : "does not add") suffixes"
            )
        }
        resourceToTelemetryConversionEnabled = reader.enabledSection(
            "resource_to_telemetry_conversion", default: defaults.resourceToTelemetryConversionEnabled)
        promoteResourceAttributes = reader.promotedResourceAttributes(
            "promote_resource_attributes", copyAll: resourceToTelemetryConversionEnabled)
        targetInfoEnabled = reader.enabledSection("target_info", default: defaults.targetInfoEnabled)
        metricExpiration = reader.positiveDuration("metric_expiration", default: defaults.metricExpiration)
        maxSeriesPerMetric = reader.int("max_series_per_metric", default: defaults.maxSeriesPerMetric, min: 1)
        enableOpenMetrics = reader.bool("enable_open_metrics", default: defaults.enableOpenMetrics)
        tls = reader.section("tls", as: ServerTLSConfig.self)
    }
}
