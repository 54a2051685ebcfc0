public import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// A keep-alive HTTP/1.1 client connection with one request in flight at a time.
public final class HTTP1Client: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(status: Int, headers: [(String, String)], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The first value of a header, matched case-insensitively.
        public func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.0.lowercased() == lower }?.1
        }
    }

    public struct ClientError: Error, CustomStringConvertible {
        public var description: String
    }

    public let channel: any Channel
    private let handler: NIOLoopBound<Handler>

    private init(channel: any Channel, handler: NIOLoopBound<Handler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects over TCP, in plaintext or through the handlers `tls` makes (a TLS client handler), which go
    /// first in the pipeline. A TLS handler buffers the first request until its handshake is done; a failed
    /// handshake fails that request with the error the TLS handlers raise, and closes the connection.
    public static func connect(
        host: String, port: Int, group: any EventLoopGroup, tls: (@Sendable () throws -> [any ChannelHandler])? = nil
    ) async throws -> HTTP1Client {
        // The handler is taken where it is added: a connection that fails at once (a TLS handshake refused) has
        // left the pipeline empty by the time a later lookup would run.
        let (channel, handler) = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandlers(try tls()) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    let handler = Handler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        return HTTP1Client(channel: channel, handler: handler)
    }

    /// Whether the connection is still open (a closed one must be replaced).
    public var isActive: Bool { channel.isActive }

    /// POSTs `body`; with `timeout`, a request not answered in time fails and the connection is closed (a late
    /// answer could otherwise be taken for the next request's).
    public func post(path: String, host: String, headers: [(String, String)], body: [UInt8], timeout: Duration? = nil)
        async throws -> Response
    {
        try await request(.POST, path: path, host: host, headers: headers, body: body, timeout: timeout)
    }

    /// GETs `path`; a response body over `maxBodySize` bytes fails the request and closes the connection (a
    /// scrape target cannot make the gateway buffer without bound).
    public func get(
        path: String, host: String, headers: [(String, String)], timeout: Duration? = nil, maxBodySize: Int? = nil
    ) async throws -> Response {
        try await request(
            .GET, path: path, host: host, headers: headers, body: nil, timeout: timeout, maxBodySize: maxBodySize)
    }

    private func request(
        _ method: HTTPMethod, path: String, host: String, headers: [(String, String)], body: [UInt8]?,
        timeout: Duration?, maxBodySize: Int? = nil
    ) async throws -> Response {
        let promise = channel.eventLoop.makePromise(of: Response.self)
        if let timeout {
            let channel = self.channel
            let handler = self.handler
            let scheduled = channel.eventLoop.scheduleTask(
                in: .nanoseconds(
                    Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
            ) {
                handler.value.fail(ClientError(description: "request timed out after \(timeout)"))
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in scheduled.cancel() }
        }
        let handler = self.handler
        let channel = self.channel
        channel.eventLoop.execute {
            var h = HTTPHeaders()
            h.add(name: "Host", value: host)
            if let body { h.add(name: "Content-Length", value: String(body.count)) }
            for (name, value) in headers { h.add(name: name, value: value) }
            guard channel.isActive else {
                promise.fail(handler.value.failure ?? ClientError(description: "connection closed"))
                return
            }
            guard handler.value.start(promise, maxBodySize: maxBodySize) else {
                promise.fail(ClientError(description: "a request is already in flight on this connection"))
                return
            }
            channel.write(
                HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: h)),
                promise: nil)
            if let body {
                channel.write(
                    HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        return try await promise.futureResult.get()
    }

    public func close() async { try? await channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart

        private var promise: EventLoopPromise<Response>?
        private var response = Response(status: 0, headers: [], body: [])
        private var maxBodySize: Int?
        /// Why the connection failed (a TLS handshake error, say), for a request sent after it closed.
        private(set) var failure: (any Error)?

        func start(_ promise: EventLoopPromise<Response>, maxBodySize: Int? = nil) -> Bool {
            guard self.promise == nil else { return false }
            self.promise = promise
            self.maxBodySize = maxBodySize
            response = Response(status: 0, headers: [], body: [])
            return true
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                response.status = Int(head.status.code)
                response.headers = head.headers.map { ($0.name, $0.value) }
            case .body(let buffer):
                if let maxBodySize, response.body.count + buffer.readableBytes > maxBodySize {
                    fail(ClientError(description: "response body exceeds \(maxBodySize) bytes"))
                    context.close(promise: nil)
                    return
                }
                response.body.append(contentsOf: buffer.readableBytesView)
            case .end:
                let p = promise
                promise = nil
                p?.succeed(response)
            }
        }

        func fail(_ error: any Error) {
            let p = promise
            promise = nil
            p?.fail(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise?.fail(ClientError(description: "connection closed"))
            promise = nil
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if failure == nil { failure = error }
            promise?.fail(error)
            promise = nil
            context.close(promise: nil)
        }
    }
}
