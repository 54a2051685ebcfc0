public import ComponentKit
public import GatewayCore

/// The `otlphttp` exporter (also written `otlp_http`, the Collector's name since v0.144), which posts OTLP
/// over HTTP/1.1 to Tempo, Loki, Mimir, another Collector or any OTLP/HTTP receiver:
/// `exporters.otlphttp[/name]`.
///
/// Keys follow the Collector's exporter and exporterhelper. `https://` URLs are sent over TLS (ALPN
/// `http/1.1`) configured by `tls`; `http://` URLs in plaintext.
public struct OTLPHTTPExporterConfig: Sendable, Equatable {
    /// The body encoding: `encoding`.
    public enum Encoding: String, Sendable, CaseIterable {
        /// Protobuf, `Content-Type: application/x-protobuf`.
        case proto
        /// The OTLP JSON mapping, `Content-Type: application/json`.
        case json
    }

    /// `endpoint`: the base URL as written, `http[s]://host[:port][/base]`; each signal is posted to it with
    /// `/v1/traces`, `/v1/metrics` or `/v1/logs` appended. No query or fragment. Required unless every
    /// signal the exporter is used for has its own URL; no default.
    public private(set) var endpoint: String?
    /// `traces_endpoint`: the full URL traces are posted to as written, replacing `endpoint` for traces.
    /// Default nil.
    public private(set) var tracesEndpoint: String?
    /// `metrics_endpoint`: the full URL metrics are posted to as written, replacing `endpoint` for metrics.
    /// Default nil.
    public private(set) var metricsEndpoint: String?
    /// `logs_endpoint`: the full URL logs are posted to as written, replacing `endpoint` for logs.
    /// Default nil.
    public private(set) var logsEndpoint: String?
    /// `compression`: `gzip` or `none` (`""` is also none). Default `gzip`, as the Collector.
    public var compression: ExporterCompression
    /// `encoding`: `proto` or `json` (any case). Default `proto`.
    public var encoding: Encoding
    /// `timeout`: the longest one HTTP request may take, greater than 0. Default `30s`.
    public var timeout: Duration
    /// `headers`: extra HTTP headers on every request, e.g. `X-Scope-OrgID`. Names are HTTP tokens, unique
    /// regardless of case; values have no control characters. `Content-Type`, `Content-Encoding` and
    /// `User-Agent` (set by the exporter), `Content-Length`, `Transfer-Encoding`, `Connection` and the other
    /// connection-specific headers, and `Authorization` when `auth` is set are refused. Default none.
    public var headers: [String: String]
    /// `sending_queue`: the queue between the pipeline and the senders. Default `SendingQueueConfig()`:
    /// enabled, 10 consumers, 1000 requests.
    public var sendingQueue: SendingQueueConfig
    /// `retry_on_failure`: retries of requests answered 429, 502, 503 or 504 or lost to network errors.
    /// Default `RetryOnFailureConfig()`: enabled, 5s, 30s, 5m, 1.5.
    public var retryOnFailure: RetryOnFailureConfig
    /// `auth.authenticator`: the `basicauth` or `bearertokenauth` extension that authenticates requests; it
    /// must be defined under `extensions` and listed in `service.extensions`. Default nil (no auth).
    public var authenticator: ComponentID?
    /// `tls`: the CA, client certificate, server name and versions for `https://` URLs. `insecure` does not
    /// apply (the scheme decides) and `insecure: true` is refused with an `https://` URL; the certificate files
    /// are refused when no URL is `https://`. Default `ClientTLSConfig()`: verified against the system's roots.
    public var tls: ClientTLSConfig

    /// Creates a config; each URL given must be an `http://` or `https://` URL and `endpoint` must have no
    /// query (preconditions).
    public init(
        endpoint: String? = nil,
        tracesEndpoint: String? = nil,
        metricsEndpoint: String? = nil,
        logsEndpoint: String? = nil,
        compression: ExporterCompression = .gzip,
        encoding: Encoding = .proto,
        timeout: Duration = .seconds(30),
        headers: [String: String] = [:],
        sendingQueue: SendingQueueConfig = SendingQueueConfig(),
        retryOnFailure: RetryOnFailureConfig = RetryOnFailureConfig(),
        authenticator: ComponentID? = nil,
        tls: ClientTLSConfig = ClientTLSConfig()
    ) {
        for url in [endpoint, tracesEndpoint, metricsEndpoint, logsEndpoint].compactMap({ $0 }) {
            guard case .success = HTTPURL.parse(url) else {
                preconditionFailure("not an http:// or https:// URL: \(quoted(url))")
            }
        }
        if let endpoint, case .success(let base) = HTTPURL.parse(endpoint) {
            precondition(!base.path.contains("?"), "the base endpoint has a query: \(quoted(endpoint))")
        }
        self.endpoint = endpoint
        self.tracesEndpoint = tracesEndpoint
        self.metricsEndpoint = metricsEndpoint
        self.logsEndpoint = logsEndpoint
        self.compression = compression
        self.encoding = encoding
        self.timeout = timeout
        self.headers = headers
        self.sendingQueue = sendingQueue
        self.retryOnFailure = retryOnFailure
        self.authenticator = authenticator
        self.tls = tls
    }

    /// Whether any URL is `https://`, so that `tls` applies to it.
    public var usesTLS: Bool {
        [Signal.traces, .metrics, .logs].contains { url(for: $0)?.scheme == "https" }
    }

    /// Where `signal` is posted: its own `<signal>_endpoint` if set, else `endpoint` with `/v1/<signal>`
    /// appended (after a single `/`, as the Collector does); nil when neither is set.
    public func url(for signal: Signal) -> HTTPURL? {
        let override: String?
        switch signal {
        case .traces: override = tracesEndpoint
        case .metrics: override = metricsEndpoint
        case .logs: override = logsEndpoint
        }
        if let override, case .success(let url) = HTTPURL.parse(override) {
            return url
        }
        guard let endpoint, case .success(var url) = HTTPURL.parse(endpoint) else { return nil }
        url.path += (url.path.hasSuffix("/") ? "" : "/") + "v1/" + signal.rawValue
        return url
    }
}

extension OTLPHTTPExporterConfig {
    /// An example for problem messages.
    private static let exampleURL = "http://tempo:4318"

    /// Headers the exporter sets itself, as problem messages name them.
    private static let reservedHeaders = ["Content-Type", "Content-Encoding", "User-Agent"]

    /// The per-signal URL keys, in the order they are read.
    private static let signalKeys: [(key: String, signal: Signal)] = [
        ("traces_endpoint", .traces), ("metrics_endpoint", .metrics), ("logs_endpoint", .logs),
    ]

    init(from reader: MappingReader, context: DecodingContext) {
        self.init()
        let defaults = self
        if let (text, url) = reader.httpURL("endpoint", example: Self.exampleURL) {
            if url.path.contains("?") {
                reader.report(
                    "endpoint", "must not have a query: /v1/<signal> is appended to it; use traces_endpoint etc.")
            } else {
                endpoint = text
            }
        }
        for (key, signal) in Self.signalKeys {
            let text = reader.httpURL(key, example: "\(Self.exampleURL)/v1/\(signal.rawValue)")?.text
            switch signal {
            case .traces: tracesEndpoint = text
            case .metrics: metricsEndpoint = text
            case .logs: logsEndpoint = text
            }
        }
        // Only when nothing was written: a written but refused URL has been reported already.
        if (["endpoint"] + Self.signalKeys.map(\.key)).allSatisfy({ !Self.written($0, in: reader) }) {
            reader.report(
                "endpoint",
                "required: the base URL of the OTLP/HTTP receiver, e.g. \(Self.exampleURL) (or traces_endpoint, metrics_endpoint, logs_endpoint)"
            )
        }
        compression = reader.compression("compression", default: defaults.compression)
        encoding = reader.choice("encoding", default: defaults.encoding)
        timeout = reader.positiveDuration("timeout", default: defaults.timeout)
        headers = reader.headers("headers", reserved: Self.reservedHeaders, authenticated: reader.contains("auth"))
        sendingQueue =
            reader.section("sending_queue") { SendingQueueConfig(from: $0, context: context) } ?? defaults.sendingQueue
        retryOnFailure =
            reader.section("retry_on_failure") { RetryOnFailureConfig(from: $0, defaults: defaults.retryOnFailure) }
            ?? defaults.retryOnFailure
        authenticator = reader.authenticator(context: context, capability: .clientAuth)
        tls = reader.section("tls", as: ClientTLSConfig.self) ?? defaults.tls
        let written = [endpoint, tracesEndpoint, metricsEndpoint, logsEndpoint].compactMap { $0 }
        if !written.isEmpty {
            reader.checkTLS(tls, https: written.contains { $0.lowercased().hasPrefix("https://") })
        }
    }

    private static func written(_ key: String, in reader: MappingReader) -> Bool {
        switch reader.value(key) {
        case nil, .null?: return false
        default: return true
        }
    }
}
