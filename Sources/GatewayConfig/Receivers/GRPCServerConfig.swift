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
    init(from reader: MappingReader) {
        self.init(from: reader, context: DecodingContext())
    }

    init(from reader: MappingReader, context: DecodingContext) {
        let defaults = GRPCServerConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: defaults.endpoint),
            maxRecvMsgSizeMiB: reader.int(
                "max_recv_msg_size_mib", default: defaults.maxRecvMsgSizeMiB, min: 1, max: 4095),
            maxConcurrentStreams: reader.int("max_concurrent_streams", default: defaults.maxConcurrentStreams, min: 1),
            readBufferSize: reader.int("read_buffer_size", default: defaults.readBufferSize, min: 0)
        )
        tls = reader.section("tls", as: ServerTLSConfig.self)
        authenticator = reader.authenticator(context: context)
    }
}
