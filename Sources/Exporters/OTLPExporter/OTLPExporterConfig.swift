public import ComponentKit

/// The `otlp` exporter (also written `otlp_grpc`, the Collector's name since v0.144), which sends OTLP over
/// gRPC to Tempo, another Collector or any OTLP receiver: `exporters.otlp[/name]`.
///
/// Keys follow the Collector's exporter and exporterhelper. Connections use TLS (HTTP/2 over TLS with ALPN `h2`)
/// unless `tls.insecure` is true or the endpoint is written `http://host:port`, which send plaintext HTTP/2 (h2c).
public struct OTLPExporterConfig: Sendable, Equatable {
    /// `endpoint`: the receiver's address as written: `host:port`, `https://host:port` (TLS whatever
    /// `tls.insecure` says, so `insecure: true` is refused with it), `http://host:port` (plaintext, so TLS
    /// files are refused with it) or `dns:///host:port`. Required; no default.
    public private(set) var endpoint: String
    /// The host of `endpoint` (YAML key `endpoint`), without any scheme: a name, an IPv4 address, or an IPv6
    /// address without its brackets. No default; derived from `endpoint`.
    public private(set) var host: String
    /// The port of `endpoint` (YAML key `endpoint`), 1 to 65535. No default; derived from `endpoint`.
    public private(set) var port: Int
    /// `tls`: `insecure: true` sends plaintext h2c; otherwise the CA, client certificate, server name and
    /// versions of the TLS connection. Default `ClientTLSConfig()`: TLS verified against the system's roots.
    public var tls: ClientTLSConfig
    /// `headers`: extra gRPC metadata on every request, e.g. `X-Scope-OrgID`. Names are HTTP tokens, unique
    /// regardless of case (sent lower case); values have no control characters. `content-type`, `te`,
    /// `grpc-encoding`, `grpc-accept-encoding`, `grpc-timeout`, `user-agent`, pseudo-headers (`:path`),
    /// connection-specific headers, and `authorization` when `auth` is set are refused. Default none.
    public var headers: [String: String]
    /// `compression`: `gzip`, `zstd`, `snappy` or `none` (`""` is also none). Default `gzip`, as the Collector.
    public var compression: ExporterCompression
    /// `timeout`: the longest one request may take (sent as `grpc-timeout`), greater than 0. Default `5s`.
    public var timeout: Duration
    /// `sending_queue`: the queue between the pipeline and the senders. Default `SendingQueueConfig()`:
    /// enabled, 10 consumers, 1000 requests.
    public var sendingQueue: SendingQueueConfig
    /// `retry_on_failure`: retries of requests that failed with a retryable status. Default
    /// `RetryOnFailureConfig()`: enabled, 5s, 30s, 5m, 1.5.
    public var retryOnFailure: RetryOnFailureConfig
    /// `auth.authenticator`: the `basicauth` or `bearertokenauth` extension whose `authorization` metadata
    /// is sent; it must be defined under `extensions` and listed in `service.extensions`. Default nil.
    public var authenticator: ComponentID?

    /// Creates a config; `endpoint` must be one of the accepted forms with a port (a precondition), parsed
    /// into `host` and `port`.
    public init(
        endpoint: String,
        tls: ClientTLSConfig = ClientTLSConfig(),
        headers: [String: String] = [:],
        compression: ExporterCompression = .gzip,
        timeout: Duration = .seconds(5),
        sendingQueue: SendingQueueConfig = SendingQueueConfig(),
        retryOnFailure: RetryOnFailureConfig = RetryOnFailureConfig(),
        authenticator: ComponentID? = nil
    ) {
        guard case .success(let parsed) = Self.parseEndpoint(endpoint) else {
            preconditionFailure("not a gRPC endpoint host:port: \(quoted(endpoint))")
        }
        self.endpoint = endpoint
        self.host = parsed.host
        self.port = parsed.port
        self.tls = tls
        self.headers = headers
        self.compression = compression
        self.timeout = timeout
        self.sendingQueue = sendingQueue
        self.retryOnFailure = retryOnFailure
        self.authenticator = authenticator
    }
}

extension OTLPExporterConfig {
    /// An example for problem messages.
    private static let exampleEndpoint = "tempo:4317"

    /// Metadata the exporter or gRPC sets itself, as problem messages name them.
    private static let reservedHeaders = [
        "content-type", "te", "grpc-encoding", "grpc-accept-encoding", "grpc-timeout", "user-agent",
    ]

    /// Whether connections use TLS: always for an `https://` endpoint, never for `http://`, and for
    /// `host:port` or `dns:///host:port` unless `tls.insecure` is true.
    public var usesTLS: Bool {
        switch Self.parseEndpoint(endpoint) {
        case .success(let parsed) where parsed.scheme == .https: return true
        case .success(let parsed) where parsed.scheme == .http: return false
        default: return !tls.insecure
        }
    }

    /// Why an endpoint is refused.
    enum EndpointProblem: Error, Equatable {
        case unsupportedScheme(String)
        case invalid
    }

    /// The scheme an endpoint is written with, which may decide TLS.
    enum EndpointScheme: Equatable {
        /// `host:port` or `dns:///host:port`: TLS unless `tls.insecure`.
        case unwritten
        /// `http://`: plaintext, as in the Collector.
        case http
        /// `https://`: TLS.
        case https
    }

    /// Parses `host:port`, `http://host:port[/]`, `https://host:port[/]` or `dns:///host:port`. The host must
    /// not be empty and the port is 1 to 65535.
    static func parseEndpoint(
        _ text: String
    ) -> Result<(host: String, port: Int, scheme: EndpointScheme), EndpointProblem> {
        var address = Substring(text)
        var endpointScheme = EndpointScheme.unwritten
        if let separator = text.firstRange(of: "://") {
            let scheme = text[..<separator.lowerBound]
            guard !scheme.isEmpty, scheme.unicodeScalars.allSatisfy(\.isASCIILetter) else { return .failure(.invalid) }
            address = text[separator.upperBound...]
            switch scheme.lowercased() {
            case "http", "https":
                endpointScheme = scheme.lowercased() == "http" ? .http : .https
                if address.hasSuffix("/") { address = address.dropLast() }
            case "dns":
                // `dns:///host:port`: the authority (a DNS server) must be empty.
                guard address.hasPrefix("/") else { return .failure(.invalid) }
                address = address.dropFirst()
            default:
                return .failure(.unsupportedScheme(scheme.lowercased()))
            }
        }
        guard !address.hasPrefix(":"), let (host, port) = parseHostPort(String(address)), port > 0 else {
            return .failure(.invalid)
        }
        return .success((host, port, endpointScheme))
    }

    init(from reader: MappingReader, context: DecodingContext) {
        // A placeholder that is never used: a missing or bad endpoint is reported, so no configuration loads.
        self.init(endpoint: "localhost:4317")
        let defaults = self
        let scheme = readEndpoint(reader)
        tls = reader.section("tls", as: ClientTLSConfig.self) ?? defaults.tls
        let tlsPath = reader.path("tls")
        switch scheme {
        case .https? where tls.insecure:
            reader.diagnostics.report(
                tlsPath.appending("insecure"),
                "cannot be true with an https:// endpoint, which means TLS; remove one of them")
        case .http?:
            for key in tls.fileKeys {
                reader.diagnostics.report(
                    tlsPath.appending(key),
                    "cannot be used with an http:// endpoint, which means plaintext; write the endpoint as host:port or https://host:port for TLS"
                )
            }
        case .unwritten? where tls.insecure:
            // The Collector would still use TLS with insecure: true and a CA file; refuse to guess.
            for key in tls.fileKeys {
                reader.diagnostics.report(
                    tlsPath.appending(key),
                    "cannot be used with insecure: true, which means plaintext; remove one of them")
            }
        default:
            break
        }
        headers = reader.headers("headers", reserved: Self.reservedHeaders, authenticated: reader.contains("auth"))
        compression = reader.compression("compression", default: defaults.compression)
        if [.deflate, .zlib, .lz4].contains(compression) {
            reader.report("compression", "\(compression.rawValue) is not a gRPC encoding; use gzip, zstd or snappy")
        }
        timeout = reader.positiveDuration("timeout", default: defaults.timeout)
        sendingQueue =
            reader.section("sending_queue") { SendingQueueConfig(from: $0, context: context) } ?? defaults.sendingQueue
        retryOnFailure =
            reader.section("retry_on_failure") { RetryOnFailureConfig(from: $0, defaults: defaults.retryOnFailure) }
            ?? defaults.retryOnFailure
        authenticator = reader.authenticator(context: context, capability: .clientAuth)
    }

    /// Reads `endpoint`; returns the scheme it was written with, or nil when it is missing or refused (reported).
    private mutating func readEndpoint(_ reader: MappingReader) -> EndpointScheme? {
        let key = "endpoint"
        let text: String
        switch reader.value(key) {
        case nil, .null?:
            reader.report(key, "required: host:port of the OTLP/gRPC receiver, e.g. \(Self.exampleEndpoint)")
            return nil
        case .scalar(let scalar)?:
            text = scalar
        case let other?:
            reader.report(key, "expected host:port like \(Self.exampleEndpoint), got \(other.summary)")
            return nil
        }
        let expected = "expected host:port like \(Self.exampleEndpoint), got \(quoted(text))"
        switch Self.parseEndpoint(text) {
        case .failure(.unsupportedScheme(let scheme)):
            reader.report(key, "\(expected) (unsupported scheme \(quoted(scheme)))")
        case .failure(.invalid):
            reader.report(key, expected)
        case .success(let parsed):
            (endpoint, host, port) = (text, parsed.host, parsed.port)
            return parsed.scheme
        }
        return nil
    }
}
