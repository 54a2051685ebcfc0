internal import FileIO
public import NIOCore
public import NIOHTTP1
internal import NIOPosix
internal import Synchronization

/// A tiny HTTP/1.1 server for the gateway's own endpoints (self-telemetry, health check, Prometheus pull):
/// one route function answers every request; request bodies are ignored.
public final class SimpleHTTPServer: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var contentType: String
        public var body: [UInt8]
        /// More response headers (security policy, caching, `Location`, `WWW-Authenticate`).
        public var headers: [(name: String, value: String)]

        public init(
            status: HTTPResponseStatus, contentType: String, body: [UInt8],
            headers: [(name: String, value: String)] = []
        ) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
        }
    }

    /// Answers one request: its method, its target (path and query, as sent), and its headers.
    public typealias Route = @Sendable (_ method: HTTPMethod, _ target: String, _ headers: HTTPHeaders) -> Response

    private let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    public var localAddress: SocketAddress? { channel.localAddress }

    /// The path of a request target, without its query.
    public static func path(of target: String) -> String {
        target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
    }

    /// Handlers that go first in each accepted connection's pipeline: a TLS server handler and its companions
    /// (`ServerTLS.makeHandlers`), passed as a closure so this module needs no TLS library.
    public typealias TLSHandlers = @Sendable () throws -> [any ChannelHandler]

    /// Binds and serves; with `tls` every connection speaks TLS first.
    public static func start(
        host: String, port: Int, group: any EventLoopGroup, tls: TLSHandlers? = nil, route: @escaping Route
    ) async throws -> SimpleHTTPServer {
        let open = OpenConnections()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                // These endpoints serve a few scrapers and probes: more connections than that are refused at once,
                // and one that sends nothing for a minute is closed, so they cannot be starved by idle sockets.
                guard open.admit(limit: maxConnections) else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.release() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdle())
                    if let tls { try channel.pipeline.syncOperations.addHandlers(try tls()) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(route: route))
                }
            }
            .bind(host: host, port: port).get()
        return SimpleHTTPServer(channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }

    /// Connections open at once on one of these endpoints: 1024, or a 16th of the open-files limit when that is
    /// lower, so scrapers and probes can never take the descriptors the OTLP listeners need.
    public static let maxConnections = Swift.max(8, Swift.min(1024, OpenFiles.limit() / 16))
    /// A connection with no traffic either way for this long is closed.
    public static let idleTimeout = TimeAmount.seconds(60)

    private final class OpenConnections: Sendable {
        private let count = Atomic<Int>(0)

        func admit(limit: Int) -> Bool {
            if count.add(1, ordering: .relaxed).newValue <= limit { return true }
            count.subtract(1, ordering: .relaxed)
            return false
        }

        func release() { count.subtract(1, ordering: .relaxed) }
    }

    private final class CloseOnIdle: ChannelInboundHandler {
        typealias InboundIn = NIOAny

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent {
                context.close(promise: nil)
                return
            }
            context.fireUserInboundEventTriggered(event)
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let route: Route
        var head: HTTPRequestHead?

        init(route: @escaping Route) { self.route = route }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body: break
            case .end:
                guard let head else { return }
                self.head = nil
                let response = route(head.method, head.uri, head.headers)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: response.contentType)
                headers.add(name: "Content-Length", value: String(response.body.count))
                for (name, value) in response.headers { headers.add(name: name, value: value) }
                if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))),
                    promise: nil)
                if head.method != .HEAD {
                    context.write(
                        wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                        promise: nil)
                }
                let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
                if !head.isKeepAlive {
                    let channel = context.channel
                    done.whenComplete { _ in channel.close(promise: nil) }
                }
            }
        }
    }
}
