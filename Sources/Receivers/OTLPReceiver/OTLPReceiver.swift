public import ComponentKit
internal import GatewayCore
public import HTTP2Transport
public import Logging
public import NIOCore
internal import NIOHTTP1
internal import NIOPosix
public import SelfTelemetry
internal import Synchronization

/// The `otlp` receiver: OTLP over gRPC (HTTP/2 through nghttp2) and over HTTP/1.1, on separate ports as in the
/// Collector. Decodes into the core model and hands the data to its consumers synchronously on the event loop.
public final class OTLPReceiver: Sendable {
    /// Makes the TLS handlers that go first in an accepted connection's pipeline (`ServerTLS.makeHandlers`), given
    /// what to call when a handshake fails. A closure so this module needs no TLS library.
    public typealias TLSHandlers =
        @Sendable (_ onHandshakeFailure: @escaping @Sendable (String) -> Void) throws -> [any ChannelHandler]

    /// gRPC listener settings (`receivers.otlp.protocols.grpc`).
    public struct GRPCSettings: Sendable {
        public var host: String
        public var port: Int
        /// Largest message, compressed or not (`max_recv_msg_size_mib`).
        public var maxRecvMessageSize: Int
        public var maxConcurrentStreams: Int
        /// `tls`: nil serves plaintext HTTP/2 (h2c). The handlers must offer ALPN `h2`.
        public var tls: TLSHandlers?
        /// `auth`: nil accepts every request.
        public var authenticator: RequestAuthenticator?
        /// Handshake, idle, age and stalled-stream limits of each connection.
        public var limits = HTTP2ConnectionLimits()
        /// Connections open at once; more are closed as they are accepted.
        public var maxConnections = 4096
        /// Decoded header list size of a request (SETTINGS_MAX_HEADER_LIST_SIZE, enforced).
        public var maxHeaderListSize = 16384
        /// Keep request headers with the data (`include_metadata`).
        public var includeMetadata = false

        public init(
            host: String = "127.0.0.1", port: Int = 4317, maxRecvMessageSize: Int = 4 << 20,
            maxConcurrentStreams: Int = 100,
            tls: TLSHandlers? = nil, authenticator: RequestAuthenticator? = nil
        ) {
            self.host = host
            self.port = port
            self.maxRecvMessageSize = maxRecvMessageSize
            self.maxConcurrentStreams = maxConcurrentStreams
            self.tls = tls
            self.authenticator = authenticator
        }
    }

    /// HTTP listener settings (`receivers.otlp.protocols.http`).
    public struct HTTPSettings: Sendable {
        public var host: String
        public var port: Int
        /// Largest body, checked before and after decompression (`max_request_body_size`).
        public var maxRequestBodySize: Int
        public var tracesPath: String
        public var metricsPath: String
        public var logsPath: String
        /// `tls`: nil serves plaintext HTTP/1.1.
        public var tls: TLSHandlers?
        /// `auth`: nil accepts every request.
        public var authenticator: RequestAuthenticator?
        /// Connection timeouts (`read_header_timeout`, `idle_timeout`, `write_timeout`).
        public var timeouts = HTTP1ConnectionTimeouts()
        /// Connections open at once; more are closed as they are accepted.
        public var maxConnections = 4096
        /// Bytes of request line and headers; more is answered 431.
        public var maxHeaderListSize = 16384
        /// Keep request headers with the data (`include_metadata`).
        public var includeMetadata = false

        public init(
            host: String = "127.0.0.1", port: Int = 4318, maxRequestBodySize: Int = 20 << 20,
            tracesPath: String = "/v1/traces",
            metricsPath: String = "/v1/metrics", logsPath: String = "/v1/logs", tls: TLSHandlers? = nil,
            authenticator: RequestAuthenticator? = nil
        ) {
            self.host = host
            self.port = port
            self.maxRequestBodySize = maxRequestBodySize
            self.tracesPath = tracesPath
            self.metricsPath = metricsPath
            self.logsPath = logsPath
            self.tls = tls
            self.authenticator = authenticator
        }
    }

    public let name: String
    private let grpc: GRPCSettings?
    private let http: HTTPSettings?
    private let consumers: OTLPConsumers
    private let registry: TelemetryRegistry
    private let logger: Logger
    private let state = Mutex<State>(State())

    private struct State: @unchecked Sendable {
        var servers: [any Channel] = []
        var connections: [ObjectIdentifier: any Channel] = [:]
        /// Open connections per transport, for `max_connections`.
        var open: [String: Int] = [:]
        var grpcAddress: SocketAddress?
        var httpAddress: SocketAddress?
    }

    public init(
        name: String, grpc: GRPCSettings?, http: HTTPSettings?, consumers: OTLPConsumers, registry: TelemetryRegistry,
        logger: Logger
    ) {
        self.name = name
        self.grpc = grpc
        self.http = http
        self.consumers = consumers
        self.registry = registry
        self.logger = logger
    }

    /// Where the gRPC listener is bound (useful with port 0).
    public var grpcAddress: SocketAddress? { state.withLock { $0.grpcAddress } }
    public var httpAddress: SocketAddress? { state.withLock { $0.httpAddress } }

    /// Binds the configured listeners.
    public func start(group: any EventLoopGroup) async throws {
        if let grpc {
            let ingest = OTLPIngest(
                consumers: consumers,
                telemetry: ReceiverTelemetry(
                    registry: registry, receiver: name, transport: "grpc", tls: grpc.tls != nil,
                    auth: grpc.authenticator != nil), includeMetadata: grpc.includeMetadata)
            var settings = HTTP2Settings()
            settings.maxConcurrentStreams = grpc.maxConcurrentStreams
            settings.maxHeaderListSize = grpc.maxHeaderListSize
            // The frame prefix is 5 bytes; a body beyond limit + prefix is discarded while it arrives.
            settings.maxBodySize = grpc.maxRecvMessageSize + 5
            let maxMessage = grpc.maxRecvMessageSize
            let h2Settings = settings
            let tls = grpc.tls
            let authenticator = grpc.authenticator
            let onHandshakeFailure = handshakeFailureReporter(ingest.telemetry, transport: "grpc")
            let limits = grpc.limits
            let telemetry = ingest.telemetry
            let onEvent: @Sendable (HTTP2ServerEvent) -> Void = { event in telemetry.count(event) }
            let channel = try await bootstrap(group: group, transport: "grpc", telemetry: telemetry)
                .childChannelInitializer {
                    [self] channel in
                    guard self.track(channel, transport: "grpc", limit: grpc.maxConnections, telemetry: telemetry)
                    else {
                        return channel.close()
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandlers(try tls(onHandshakeFailure)) }
                        try channel.pipeline.syncOperations.addHandler(
                            HTTP2ServerHandler(
                                settings: h2Settings,
                                handler: OTLPGRPCService(
                                    ingest: ingest, maxMessageSize: maxMessage, authenticator: authenticator),
                                limits: limits, onEvent: onEvent))
                    }
                }.bind(host: grpc.host, port: grpc.port).get()
            state.withLock {
                $0.servers.append(channel)
                $0.grpcAddress = channel.localAddress
            }
            logger.info(
                "otlp receiver listening",
                metadata: ["transport": "grpc", "endpoint": "\(channel.localAddress?.description ?? "?")"])
        }
        if let http {
            let ingest = OTLPIngest(
                consumers: consumers,
                telemetry: ReceiverTelemetry(
                    registry: registry, receiver: name, transport: "http", tls: http.tls != nil,
                    auth: http.authenticator != nil), includeMetadata: http.includeMetadata)
            let paths = OTLPHTTPHandler.Paths(traces: http.tracesPath, metrics: http.metricsPath, logs: http.logsPath)
            let maxBody = http.maxRequestBodySize
            let tls = http.tls
            let authenticator = http.authenticator
            let onHandshakeFailure = handshakeFailureReporter(ingest.telemetry, transport: "http")
            let timeouts = http.timeouts
            let telemetry = ingest.telemetry
            let maxHeader = http.maxHeaderListSize
            let channel = try await bootstrap(group: group, transport: "http", telemetry: telemetry)
                .childChannelInitializer {
                    [self] channel in
                    guard self.track(channel, transport: "http", limit: http.maxConnections, telemetry: telemetry)
                    else {
                        return channel.close()
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandlers(try tls(onHandshakeFailure)) }
                        let clock = HTTP1ConnectionClock(timeouts: timeouts, onTimeout: { telemetry.countTimeout($0) })
                        // Sees raw bytes before the HTTP decoder: the header timer starts at a request's first byte,
                        // and a head larger than the limit is refused before the decoder buffers it.
                        try channel.pipeline.syncOperations.addHandler(
                            HTTP1HeadGuard(
                                clock: clock, maxHeadSize: maxHeader, onRefused: { telemetry.countHeaderTooLarge() }))
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(
                            OTLPHTTPHandler(
                                ingest: ingest, maxBodySize: maxBody, paths: paths, authenticator: authenticator,
                                clock: clock))
                    }
                }.bind(host: http.host, port: http.port).get()
            state.withLock {
                $0.servers.append(channel)
                $0.httpAddress = channel.localAddress
            }
            logger.info(
                "otlp receiver listening",
                metadata: ["transport": "http", "endpoint": "\(channel.localAddress?.description ?? "?")"])
        }
    }

    /// Counts a failed handshake and logs why at debug level: a scanner or a plaintext client can fail many, and
    /// the counter is what an operator watches.
    private func handshakeFailureReporter(
        _ telemetry: ReceiverTelemetry, transport: String
    ) -> @Sendable (String) -> Void {
        let logger = logger
        let name = name
        return { reason in
            telemetry.countHandshakeFailure()
            logger.debug(
                "TLS handshake failed",
                metadata: ["receiver": "\(name)", "transport": "\(transport)", "reason": "\(reason)"])
        }
    }

    private func bootstrap(group: any EventLoopGroup, transport: String, telemetry: ReceiverTelemetry)
        -> ServerBootstrap
    {
        let logger = logger
        let name = name
        return ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptErrorReporter { error in
                            telemetry.countAcceptError()
                            logger.error(
                                "cannot accept connections: out of file descriptors; something else holds them",
                                metadata: ["receiver": "\(name)", "transport": "\(transport)", "error": "\(error)"])
                        } counted: {
                            telemetry.countAcceptError()
                        })
                }
            }
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
    }

    /// Registers an accepted connection; false (counted, nothing registered) when the listener already holds
    /// `limit`, and the caller closes it at once: refusing costs one accept and one close.
    private func track(_ channel: any Channel, transport: String, limit: Int, telemetry: ReceiverTelemetry) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = state.withLock { s -> Bool in
            guard s.open[transport, default: 0] < limit else { return false }
            s.open[transport, default: 0] += 1
            s.connections[id] = channel
            return true
        }
        guard admitted else {
            telemetry.countConnectionRefused()
            return false
        }
        telemetry.connectionOpened()
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock {
                $0.connections.removeValue(forKey: id)
                $0.open[transport, default: 1] -= 1
            }
            telemetry.connectionClosed()
        }
        return true
    }

    /// Reports accept failures on a listener: each is counted, the first of a run logged, and a connection
    /// accepted again ends the run. It does not back off: SwiftNIO keeps its read pending after a failed accept
    /// and retries at once, so no handler can pause it. The protection is `max_connections` kept under the
    /// open-files limit (`ConnectionBudget` in the assembly); this is the alarm when something else took the
    /// descriptors. Used on the listener's event loop only.
    final class AcceptErrorReporter: ChannelInboundHandler {
        typealias InboundIn = any Channel
        private let first: (any Error) -> Void
        private let counted: () -> Void
        private var failing = false

        init(first: @escaping (any Error) -> Void, counted: @escaping () -> Void) {
            self.first = first
            self.counted = counted
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            failing = false
            context.fireChannelRead(data)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if failing {
                counted()
            } else {
                failing = true
                first(error)
            }
        }
    }

    /// Stops accepting, asks open connections to finish (HTTP/2 GOAWAY), then closes them. Requests already
    /// handed to the pipeline were consumed synchronously, so nothing accepted is lost.
    public func shutdown() async {
        let (servers, connections) = state.withLock { s in (s.servers, Array(s.connections.values)) }
        for server in servers { try? await server.close() }
        for connection in connections { connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        try? await Task.sleep(for: .milliseconds(100))
        for connection in connections { try? await connection.close() }
    }
}
