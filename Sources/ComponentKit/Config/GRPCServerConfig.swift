/// The OTLP/gRPC server: `receivers.otlp.protocols.grpc`.
public struct GRPCServerConfig: Sendable, Equatable {
    /// `endpoint`: the listen address, `host:port`. Default `127.0.0.1:4317`.
    public var endpoint: String
    /// `max_recv_msg_size_mib`: the largest request message accepted, in MiB, 1 to 4095 (gRPC's length prefix
    /// is 32 bits). Default 4.
    public var maxRecvMsgSizeMiB: Int
    /// `max_concurrent_streams`: HTTP/2 streams allowed at once per connection, at least 1. Default 100.
    public var maxConcurrentStreams: Int
    /// `read_buffer_size`: bytes read from a connection at a time, at least 0. Default 524288 (512 KiB).
    public var readBufferSize: Int

    /// `tls`: serve TLS only, with this certificate, and with `client_ca_file` require client certificates.
    /// Default nil (plaintext).
    public var tls: ServerTLSConfig?
    /// `auth.authenticator`: the `bearertokenauth` or `basicauth` extension every request must satisfy, checked
    /// from the headers before the body is read. Default nil (no authentication).
    public var authenticator: ComponentID?
    /// `keepalive.server_parameters.max_connection_idle`: a connection without streams for this long gets GOAWAY
    /// and is closed. Default 10m; 0 disables it.
    public var maxConnectionIdle: Duration? = .seconds(600)
    /// `keepalive.server_parameters.max_connection_age`: a connection older than this gets GOAWAY. Default none.
    public var maxConnectionAge: Duration?
    /// `keepalive.server_parameters.max_connection_age_grace`: how long streams may finish after that. Default none
    /// (closed as soon as no stream is open).
    public var maxConnectionAgeGrace: Duration?
    /// `handshake_timeout` (not in the Collector): the TLS handshake and the HTTP/2 preface must be done within
    /// this. Default 10s; 0 disables it.
    public var handshakeTimeout: Duration? = .seconds(10)
    /// `stream_idle_timeout` (not in the Collector): a stream with no progress for this long is reset. Default 60s;
    /// 0 disables it.
    public var streamIdleTimeout: Duration? = .seconds(60)
    /// `max_connections` (not in the Collector): connections open at once on this listener; more are closed as
    /// they are accepted. Default 4096.
    public var maxConnections: Int = 4096
    /// `max_header_list_size` (not in the Collector): the decoded size of a request's headers (RFC 9113's count:
    /// name + value + 32 per field); a larger list resets the stream. Default 16384.
    public var maxHeaderListSize: Int = 16384
    /// `include_metadata`: keep the request's headers with its data, for `batch.metadata_keys` and
    /// `headers_setter`'s `from_context` (tenants). Default false.
    public var includeMetadata = false

    public init(
        endpoint: String = "127.0.0.1:4317",
        maxRecvMsgSizeMiB: Int = 4,
        maxConcurrentStreams: Int = 100,
        readBufferSize: Int = 524_288,
        tls: ServerTLSConfig? = nil,
        authenticator: ComponentID? = nil
    ) {
        self.endpoint = endpoint
        self.maxRecvMsgSizeMiB = maxRecvMsgSizeMiB
        self.maxConcurrentStreams = maxConcurrentStreams
        self.readBufferSize = readBufferSize
        self.tls = tls
        self.authenticator = authenticator
    }
}

extension GRPCServerConfig: ConfigSection {
    public init(from reader: MappingReader) {
        self.init(from: reader, context: DecodingContext())
    }

    public init(from reader: MappingReader, context: DecodingContext) {
        let defaults = GRPCServerConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: defaults.endpoint),
            maxRecvMsgSizeMiB: reader.int(
                "max_recv_msg_size_mib", default: defaults.maxRecvMsgSizeMiB, min: 1, max: 4095),
            maxConcurrentStreams: reader.int("max_concurrent_streams", default: defaults.maxConcurrentStreams, min: 1),
            readBufferSize: reader.int("read_buffer_size", default: defaults.readBufferSize, min: 0)
        )
        tls = reader.section("tls", as: ServerTLSConfig.self)
        authenticator = reader.authenticator(context: context, capability: .serverAuth)
        handshakeTimeout = reader.disablableDuration("handshake_timeout", default: defaults.handshakeTimeout)
        streamIdleTimeout = reader.disablableDuration("stream_idle_timeout", default: defaults.streamIdleTimeout)
        maxConnections = reader.int("max_connections", default: defaults.maxConnections, min: 1)
        includeMetadata = reader.bool("include_metadata", default: false)
        maxHeaderListSize = reader.int(
            "max_header_list_size", default: defaults.maxHeaderListSize, min: 1024, max: 16 << 20)
        var idle = defaults.maxConnectionIdle
        var age: Duration?
        var grace: Duration?
        _ = reader.section("keepalive") { keepalive in
            _ = keepalive.section("server_parameters") { server in
                idle = server.disablableDuration("max_connection_idle", default: defaults.maxConnectionIdle)
                age = server.disablableDuration("max_connection_age", default: nil)
                grace = server.disablableDuration("max_connection_age_grace", default: nil)
                // Server keepalive pings are not sent; accepted so that Collector configs run unchanged.
                _ = server.duration("time", default: .zero)
                _ = server.duration("timeout", default: .zero)
            }
            _ = keepalive.section("enforcement_policy") { policy in
                // Client pings are always answered (nghttp2); accepted so that Collector configs run unchanged.
                _ = policy.duration("min_time", default: .zero)
                _ = policy.bool("permit_without_stream", default: false)
            }
        }
        maxConnectionIdle = idle
        maxConnectionAge = age
        maxConnectionAgeGrace = grace
    }
}
