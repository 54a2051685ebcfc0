public import ComponentKit

/// The `prometheusremotewrite` exporter, which pushes metrics to Prometheus, Mimir, Thanos or any other
/// remote-write 1.0 receiver: `exporters.prometheusremotewrite[/name]`.
///
/// Keys follow the Collector contrib exporter; `interval`, `stale_after`, `max_series_per_metric` and
/// `translation` are ours. The Collector's `translation_strategy` is accepted for its two strategies this
/// gateway implements.
public struct PrometheusRemoteWriteExporterConfig: Sendable, Equatable {
    /// `endpoint`: the remote-write URL as written, e.g. `http://mimir:9009/api/v1/push`. Required; no
    /// default. `http://` or `https://` (TLS, configured by `tls`), with a host, an optional port and an
    /// optional path; no credentials (use `auth`) and no fragment.
    public private(set) var endpoint: String
    /// The scheme of `endpoint` (YAML key `endpoint`), lower case: `http` or `https`. No default; derived from
    /// `endpoint`.
    public private(set) var scheme: String
    /// The host of `endpoint` (YAML key `endpoint`): a name, an IPv4 address, or an IPv6 address without its
    /// brackets. No default; derived from `endpoint`.
    public private(set) var host: String
    /// The port of `endpoint` (YAML key `endpoint`), 1 to 65535. Default 80 for `http`, 443 for `https`.
    public private(set) var port: Int
    /// The path of `endpoint` (YAML key `endpoint`), with any `?query`, starting with `/`. Default `/`.
    public private(set) var path: String
    /// `headers`: extra HTTP headers on every request, e.g. `X-Scope-OrgID`. Names are HTTP tokens, unique
    /// regardless of case; values have no control characters. `Content-Encoding`, `Content-Type`,
    /// `X-Prometheus-Remote-Write-Version` and `User-Agent` (any case) are set by the exporter and refused,
    /// as are `Content-Length`, `Transfer-Encoding`, `Connection` and the other connection-specific headers,
    /// pseudo-headers (`:path`), and `Authorization` when `auth` is set. Default none.
    public var headers: [String: String]
    /// `external_labels`: labels added to every series. Names match `[a-zA-Z_][a-zA-Z0-9_]*` and do not start
    /// with `__`; values are not empty. Default none.
    public var externalLabels: [String: String]
    /// `namespace`: a prefix for every metric name, joined with `_`; empty or matching
    /// `[a-zA-Z_][a-zA-Z0-9_]*`. Default empty (no prefix).
    public var namespace: String
    /// `translation` (ours: `underscore_escaping` or `no_translation`), or the Collector's
    /// `translation_strategy` (`UnderscoreEscapingWithSuffixes` or `NoTranslation`), not both.
    /// Default `underscoreEscaping`.
    public var translation: PrometheusTranslationStrategy
    /// `timeout`: the longest one HTTP request may take, greater than 0. Default `5s`.
    public var timeout: Duration
    /// `interval`: how often the series that changed since the last write are sent, greater than 0. Ours,
    /// not in the Collector (which sends per incoming batch). Default `15s`.
    public var interval: Duration
    /// `max_batch_size_bytes`: the largest uncompressed request body; larger writes are split. At least
    /// 1024. Default 3000000.
    public var maxBatchSizeBytes: Int
    /// `send_native_histograms`: send exponential histograms as Prometheus native histograms; false converts
    /// them to classic buckets. Default false.
    public var sendNativeHistograms: Bool
    /// `resource_to_telemetry_conversion.enabled`: copy every resource attribute onto every series as a
    /// label. Default false.
    public var resourceToTelemetryConversionEnabled: Bool
    /// `promote_resource_attributes`: resource attribute keys copied onto every series as labels, in
    /// order, each once; not combined with `resource_to_telemetry_conversion.enabled`. Default none.
    public var promoteResourceAttributes: [String]
    /// `target_info.enabled`: send a `target_info` series per resource carrying its attributes.
    /// Default true.
    public var targetInfoEnabled: Bool
    /// `stale_after`: a series not updated for this long is ended with a stale marker and forgotten,
    /// greater than 0. Ours. Default `5m`.
    public var staleAfter: Duration
    /// `max_series_per_metric`: series kept per metric name; new series beyond it are dropped. At least 1.
    /// Ours. Default 20000.
    public var maxSeriesPerMetric: Int
    /// `remote_write_queue`: the queue between the pipeline and the senders.
    /// Default `RemoteWriteQueueConfig()`.
    public var remoteWriteQueue: RemoteWriteQueueConfig
    /// `retry_on_failure`: retries of failed requests (5xx and network errors). Default
    /// `RetryOnFailureConfig(initialInterval: .milliseconds(50))`: enabled, 50ms, 30s, 5m, 1.5.
    public var retryOnFailure: RetryOnFailureConfig
    /// `auth.authenticator`: the `basicauth` or `bearertokenauth` extension that authenticates requests; it
    /// must be defined under `extensions` and listed in `service.extensions`. Default nil (no auth).
    public var authenticator: ComponentID?
    /// `tls`: the CA, client certificate, server name and versions for an `https://` endpoint. `insecure` does not
    /// apply (the scheme decides) and `insecure: true` is refused with `https://`; the certificate files are
    /// refused with `http://`. Default `ClientTLSConfig()`: verified against the system's roots.
    public var tls: ClientTLSConfig

    /// Whether requests are sent over TLS: for an `https://` endpoint.
    public var usesTLS: Bool { scheme == "https" }

    /// Creates a config; `endpoint` must be an `http://` or `https://` URL (a precondition), parsed into
    /// `scheme`, `host`, `port` and `path`.
    public init(
        endpoint: String,
        headers: [String: String] = [:],
        externalLabels: [String: String] = [:],
        namespace: String = "",
        translation: PrometheusTranslationStrategy = .underscoreEscaping,
        timeout: Duration = .seconds(5),
        interval: Duration = .seconds(15),
        maxBatchSizeBytes: Int = 3_000_000,
        sendNativeHistograms: Bool = false,
        resourceToTelemetryConversionEnabled: Bool = false,
        promoteResourceAttributes: [String] = [],
        targetInfoEnabled: Bool = true,
        staleAfter: Duration = .seconds(300),
        maxSeriesPerMetric: Int = 20_000,
        remoteWriteQueue: RemoteWriteQueueConfig = RemoteWriteQueueConfig(),
        retryOnFailure: RetryOnFailureConfig = RetryOnFailureConfig(initialInterval: .milliseconds(50)),
        authenticator: ComponentID? = nil,
        tls: ClientTLSConfig = ClientTLSConfig()
    ) {
        guard case .success(let url) = HTTPURL.parse(endpoint) else {
            preconditionFailure("not an http:// or https:// URL: \(quoted(endpoint))")
        }
        self.endpoint = endpoint
        self.scheme = url.scheme
        self.host = url.host
        self.port = url.port
        self.path = url.path
        self.headers = headers
        self.externalLabels = externalLabels
        self.namespace = namespace
        self.translation = translation
        self.timeout = timeout
        self.interval = interval
        self.maxBatchSizeBytes = maxBatchSizeBytes
        self.sendNativeHistograms = sendNativeHistograms
        self.resourceToTelemetryConversionEnabled = resourceToTelemetryConversionEnabled
        self.promoteResourceAttributes = promoteResourceAttributes
        self.targetInfoEnabled = targetInfoEnabled
        self.staleAfter = staleAfter
        self.maxSeriesPerMetric = maxSeriesPerMetric
        self.remoteWriteQueue = remoteWriteQueue
        self.retryOnFailure = retryOnFailure
        self.authenticator = authenticator
        self.tls = tls
    }
}

/// The queue of the `prometheusremotewrite` exporter: `exporters.prometheusremotewrite.remote_write_queue`.
/// The Collector's shape; the exporter does not use the standard `sending_queue`.
public struct RemoteWriteQueueConfig: Sendable, Equatable {
    /// `enabled`: queue writes and send them from `num_consumers` senders; false sends from the pipeline's
    /// own task. Default true.
    public var enabled: Bool
    /// `queue_size`: the most writes waiting to be sent (batches, not samples), at least 1; when full, new
    /// data is refused. Default 10000.
    public var queueSize: Int
    /// `num_consumers`: requests sent at once, at least 1. Default 5.
    public var numConsumers: Int

    public init(enabled: Bool = true, queueSize: Int = 10_000, numConsumers: Int = 5) {
        self.enabled = enabled
        self.queueSize = queueSize
        self.numConsumers = numConsumers
    }
}

extension RemoteWriteQueueConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = RemoteWriteQueueConfig()
        self.init(
            enabled: reader.bool("enabled", default: defaults.enabled),
            queueSize: reader.int("queue_size", default: defaults.queueSize, min: 1),
            numConsumers: reader.int("num_consumers", default: defaults.numConsumers, min: 1)
        )
    }
}

extension PrometheusRemoteWriteExporterConfig {
    /// An example for problem messages.
    private static let exampleURL = "http://mimir:9009/api/v1/push"

    /// Headers the exporter sets itself, as problem messages name them.
    private static let reservedHeaders = [
        "Content-Encoding", "Content-Type", "X-Prometheus-Remote-Write-Version", "User-Agent",
    ]

    init(from reader: MappingReader, context: DecodingContext) {
        // A placeholder that is never used: a missing or bad endpoint is reported, so no configuration loads.
        self.init(endpoint: "http://localhost/")
        let defaults = self
        let endpointScheme = readEndpoint(reader)
        headers = reader.headers("headers", reserved: Self.reservedHeaders, authenticated: reader.contains("auth"))
        externalLabels = reader.labelMap("external_labels")
        namespace = reader.metricNamespace("namespace")
        translation = reader.prometheusTranslation(default: defaults.translation).strategy
        timeout = reader.positiveDuration("timeout", default: defaults.timeout)
        interval = reader.positiveDuration("interval", default: defaults.interval)
        maxBatchSizeBytes = reader.int("max_batch_size_bytes", default: defaults.maxBatchSizeBytes, min: 1024)
        sendNativeHistograms = reader.bool("send_native_histograms", default: defaults.sendNativeHistograms)
        resourceToTelemetryConversionEnabled = reader.enabledSection(
            "resource_to_telemetry_conversion", default: defaults.resourceToTelemetryConversionEnabled)
        promoteResourceAttributes = reader.promotedResourceAttributes(
            "promote_resource_attributes", copyAll: resourceToTelemetryConversionEnabled)
        targetInfoEnabled = reader.enabledSection("target_info", default: defaults.targetInfoEnabled)
        staleAfter = reader.positiveDuration("stale_after", default: defaults.staleAfter)
        maxSeriesPerMetric = reader.int("max_series_per_metric", default: defaults.maxSeriesPerMetric, min: 1)
        remoteWriteQueue =
            reader.section("remote_write_queue", as: RemoteWriteQueueConfig.self) ?? RemoteWriteQueueConfig()
        retryOnFailure =
            reader.section("retry_on_failure") { RetryOnFailureConfig(from: $0, defaults: defaults.retryOnFailure) }
            ?? defaults.retryOnFailure
        authenticator = reader.authenticator(context: context, capability: .clientAuth)
        tls = reader.section("tls", as: ClientTLSConfig.self) ?? ClientTLSConfig()
        if let endpointScheme {
            reader.checkTLS(tls, https: endpointScheme == "https")
        }
    }

    /// Reads `endpoint`; returns its scheme, or nil when it is missing or refused (reported).
    private mutating func readEndpoint(_ reader: MappingReader) -> String? {
        let key = "endpoint"
        switch reader.value(key) {
        case nil, .null?:
            reader.report(key, "required: the remote-write URL, e.g. \(Self.exampleURL)")
        default:
            if let (text, url) = reader.httpURL(key, example: Self.exampleURL) {
                (endpoint, scheme, host, port, path) = (text, url.scheme, url.host, url.port, url.path)
                return url.scheme
            }
        }
        return nil
    }
}
