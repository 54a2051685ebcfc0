/// The `otlp` exporter (also written `otlp_grpc`, the Collector's name since v0.144), which sends OTLP over
/// gRPC to Tempo, another Collector or any OTLP receiver: `exporters.otlp[/name]`.
///
/// Keys follow the Collector's exporter and exporterhelper. Only plaintext HTTP/2 (h2c) is supported for now:
/// the endpoint must be written `http://host:port`, or `tls.insecure` must be true.
public struct OTLPExporterConfig: Sendable, Equatable {
    /// `endpoint`: the receiver's address as written: `host:port`, `http://host:port` or
    /// `dns:///host:port`. Required; no default. `https://` is refused until TLS is supported; without
    /// `http://`, `tls.insecure` must be true.
    public private(set) var endpoint: String
    /// The host of `endpoint` (YAML key `endpoint`), without any scheme: a name, an IPv4 address, or an IPv6
    /// address without its brackets. No default; derived from `endpoint`.
    public private(set) var host: String
    /// The port of `endpoint` (YAML key `endpoint`), 1 to 65535. No default; derived from `endpoint`.
    public private(set) var port: Int
    /// `tls`: `insecure: true` sends plaintext, the only mode supported for now; required unless `endpoint`
    /// starts with `http://`. Default `ClientTLSConfig()`.
    public var tls: ClientTLSConfig
    /// `headers`: extra gRPC metadata on every request, e.g. `X-Scope-OrgID`. Names are HTTP tokens, unique
    /// regardless of case (sent lower case); values have no control characters. `content-type`, `te`,
    /// `grpc-encoding`, `grpc-accept-encoding`, `grpc-timeout`, `user-agent`, pseudo-headers (`:path`),
    /// connection-specific headers, and `authorization` when `auth` is set are refused. Default none.
    public var headers: [String: String]
    /// `compression`: `gzip` or `none` (`""` is also none). Default `gzip`, as the Collector.
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

    /// Why an endpoint is refused.
    enum EndpointProblem: Error, Equatable {
        case https
        case unsupportedScheme(String)
        case invalid
    }

    /// Parses `host:port`, `http://host:port[/]` or `dns:///host:port`; `plaintext` is true for `http://`,
    /// which means no TLS as in the Collector. The host must not be empty and the port is 1 to 65535.
    static func parseEndpoint(_ text: String) -> Result<(host: String, port: Int, plaintext: Bool), EndpointProblem> {
        var address = Substring(text)
        var plaintext = false
        if let separator = text.firstRange(of: "://") {
            let scheme = text[..<separator.lowerBound]
            guard !scheme.isEmpty, scheme.unicodeScalars.allSatisfy(\.isASCIILetter) else { return .failure(.invalid) }
            address = text[separator.upperBound...]
            switch scheme.lowercased() {
            case "http":
                plaintext = true
                if address.hasSuffix("/") { address = address.dropLast() }
            case "https":
                return .failure(.https)
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
        return .success((host, port, plaintext))
    }

    init(from reader: MappingReader, context: DecodingContext) {
        // A placeholder that is never used: a missing or bad endpoint is reported, so no configuration loads.
        self.init(endpoint: "localhost:4317")
        let defaults = self
        let plaintextEndpoint = readEndpoint(reader)
        tls = reader.section("tls", as: ClientTLSConfig.self) ?? defaults.tls
        if plaintextEndpoint == false, !tls.insecure, !Self.insecureIsMalformed(reader) {
            reader.diagnostics.report(
                reader.path("tls").appending("insecure"), "must be true: TLS is not supported yet")
        }
        headers = reader.headers("headers", reserved: Self.reservedHeaders, authenticated: reader.contains("auth"))
        compression = reader.compression("compression", default: defaults.compression)
        timeout = reader.positiveDuration("timeout", default: defaults.timeout)
        sendingQueue = reader.section("sending_queue", as: SendingQueueConfig.self) ?? defaults.sendingQueue
        retryOnFailure =
            reader.section("retry_on_failure") { RetryOnFailureConfig(from: $0, defaults: defaults.retryOnFailure) }
            ?? defaults.retryOnFailure
        authenticator = reader.authenticator(context: context)
    }

    /// Reads `endpoint`; returns whether it was written with `http://`, or nil when it is missing or refused
    /// (reported).
    private mutating func readEndpoint(_ reader: MappingReader) -> Bool? {
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
        case .failure(.https):
            reader.report(
                key,
                "https is not supported yet (TLS is planned); use tls: {insecure: true} with a plaintext endpoint")
        case .failure(.unsupportedScheme(let scheme)):
            reader.report(key, "\(expected) (unsupported scheme \(quoted(scheme)))")
        case .failure(.invalid):
            reader.report(key, expected)
        case .success(let parsed):
            (endpoint, host, port) = (text, parsed.host, parsed.port)
            return parsed.plaintext
        }
        return nil
    }

    /// Whether `tls.insecure` is written but is not true or false (already reported where it is written).
    private static func insecureIsMalformed(_ reader: MappingReader) -> Bool {
        guard case .mapping(let entries)? = reader.value("tls"),
            let insecure = entries.first(where: { $0.key == "insecure" })?.value
        else { return false }
        switch insecure {
        case .null: return false
        case .scalar(let text): return !["true", "false"].contains(text.lowercased())
        case .sequence, .mapping: return true
        }
    }
}
