/// The OTLP/HTTP server: `receivers.otlp.protocols.http`.
public struct HTTPServerConfig: Sendable, Equatable {
    /// `endpoint`: the listen address, `host:port`. Default `127.0.0.1:4318`.
    public var endpoint: String
    /// `max_request_body_size`: the largest request body accepted, in bytes, after decompression; at least 1.
    /// Default 20971520 (20 MiB).
    public var maxRequestBodySize: Int
    /// `traces_url_path`: where traces are posted. Default `/v1/traces`. A missing leading `/` is added.
    public var tracesURLPath: String
    /// `metrics_url_path`: where metrics are posted. Default `/v1/metrics`. A missing leading `/` is added.
    public var metricsURLPath: String
    /// `logs_url_path`: where logs are posted. Default `/v1/logs`. A missing leading `/` is added.
    public var logsURLPath: String

    /// `tls`: serve TLS only, with this certificate, and with `client_ca_file` require client certificates.
    /// Default nil (plaintext).
    public var tls: ServerTLSConfig?
    /// `auth.authenticator`: the `bearertokenauth` or `basicauth` extension every request must satisfy, checked
    /// from the headers before the body is read. Default nil (no authentication).
    public var authenticator: ComponentID?
    /// `read_header_timeout`: a request's head must be complete within this of its first byte (and a new
    /// connection must send one within it). Default 1m, as the Collector; 0 disables it.
    public var readHeaderTimeout: Duration? = .seconds(60)
    /// `idle_timeout`: a keep-alive connection with no request for this long is closed, and so is one whose
    /// request body stops arriving for this long. Default 1m, as the Collector; 0 disables it.
    public var idleTimeout: Duration? = .seconds(60)
    /// `write_timeout`: a response the client does not read within this closes the connection. Default 30s, as
    /// the Collector; 0 disables it.
    public var writeTimeout: Duration? = .seconds(30)
    /// `max_connections` (not in the Collector): connections open at once on this listener; more are closed as
    /// they are accepted. Default 4096.
    public var maxConnections: Int = 4096
    /// `max_header_list_size` (not in the Collector): bytes of request line and headers; more is answered 431.
    /// Default 16384.
    public var maxHeaderListSize: Int = 16384
    /// `include_metadata`: keep the request's headers with its data, for `batch.metadata_keys` and
    /// `headers_setter`'s `from_context` (tenants). Default false.
    public var includeMetadata = false

    public init(
        endpoint: String = "127.0.0.1:4318",
        maxRequestBodySize: Int = 20_971_520,
        tracesURLPath: String = "/v1/traces",
        metricsURLPath: String = "/v1/metrics",
        logsURLPath: String = "/v1/logs",
        tls: ServerTLSConfig? = nil,
        authenticator: ComponentID? = nil
    ) {
        self.endpoint = endpoint
        self.maxRequestBodySize = maxRequestBodySize
        self.tracesURLPath = tracesURLPath
        self.metricsURLPath = metricsURLPath
        self.logsURLPath = logsURLPath
        self.tls = tls
        self.authenticator = authenticator
    }
}

extension HTTPServerConfig: ConfigSection {
    public init(from reader: MappingReader) {
        self.init(from: reader, context: DecodingContext())
    }

    public init(from reader: MappingReader, context: DecodingContext) {
        let defaults = HTTPServerConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: defaults.endpoint),
            maxRequestBodySize: reader.int("max_request_body_size", default: defaults.maxRequestBodySize, min: 1)
        )
        let paths = [
            ("traces_url_path", defaults.tracesURLPath),
            ("metrics_url_path", defaults.metricsURLPath),
            ("logs_url_path", defaults.logsURLPath),
        ].map { key, defaultPath in (key, Self.urlPath(key, default: defaultPath, in: reader)) }
        tracesURLPath = paths[0].1
        metricsURLPath = paths[1].1
        logsURLPath = paths[2].1
        tls = reader.section("tls", as: ServerTLSConfig.self)
        authenticator = reader.authenticator(context: context, capability: .serverAuth)
        readHeaderTimeout = reader.disablableDuration("read_header_timeout", default: defaults.readHeaderTimeout)
        idleTimeout = reader.disablableDuration("idle_timeout", default: defaults.idleTimeout)
        writeTimeout = reader.disablableDuration("write_timeout", default: defaults.writeTimeout)
        // Go's whole-request deadline; accepted for Collector configs, bounded here by the timeouts above.
        _ = reader.duration("read_timeout", default: .zero)
        maxConnections = reader.int("max_connections", default: defaults.maxConnections, min: 1)
        includeMetadata = reader.bool("include_metadata", default: false)
        maxHeaderListSize = reader.int(
            "max_header_list_size", default: defaults.maxHeaderListSize, min: 1024, max: 16 << 20)
        // One path serving two signals would leave the second unreachable.
        for (index, (key, path)) in paths.enumerated() {
            if let earlier = paths[..<index].first(where: { $0.1 == path }) {
                reader.report(key, "same path as \(earlier.0), \(quoted(path))")
            }
        }
    }

    /// The Collector prefixes a missing `/`; a query, fragment or space cannot be matched against a request path.
    private static func urlPath(_ key: String, default defaultValue: String, in reader: MappingReader) -> String {
        let text = reader.string(key, default: defaultValue)
        if text.isEmpty || text.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) {
            reader.report(key, "expected a URL path like \(defaultValue), got \(quoted(text))")
            return defaultValue
        }
        return text.hasPrefix("/") ? text : "/" + text
    }
}
