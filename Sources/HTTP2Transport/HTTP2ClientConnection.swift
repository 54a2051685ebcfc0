internal import GatewayCore
public import NIOCore
internal import NIOPosix

/// A client HTTP/2 connection over nghttp2: many concurrent requests, each answered by a future.
/// Used by `loadgen` and the gRPC exporter.
public final class HTTP2ClientConnection: Sendable {
    public struct ConnectionError: Error, CustomStringConvertible {
        public var description: String
    }

    public let channel: any Channel
    /// `https` when the connection runs over TLS, else `http`: the `:scheme` of its requests.
    public let scheme: String
    private let handler: NIOLoopBound<HTTP2ClientHandler>

    private init(channel: any Channel, scheme: String, handler: NIOLoopBound<HTTP2ClientHandler>) {
        self.channel = channel
        self.scheme = scheme
        self.handler = handler
    }

    /// Connects over TCP: cleartext (h2c with prior knowledge, as gRPC does without TLS), or through the
    /// handlers `tls` makes (a TLS client handler offering ALPN `h2`), which go first in the pipeline.
    ///
    /// The connection preface is written at once either way: a TLS handler buffers it until its handshake is
    /// done. A failed handshake therefore fails the first request (or the ones waiting) with the error the TLS
    /// handlers raise, and closes the connection.
    public static func connect(
        host: String, port: Int, group: any EventLoopGroup, settings: HTTP2Settings = HTTP2Settings(),
        tls: (@Sendable () throws -> [any ChannelHandler])? = nil
    ) async throws -> HTTP2ClientConnection {
        // The handler is in place before the connection exists, so the server's first SETTINGS frame cannot
        // arrive at an empty pipeline and be dropped; and it is taken where it is added, as a connection that
        // fails at once (a TLS handshake refused) has left the pipeline empty by the time a lookup would run.
        let (channel, handler) = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandlers(try tls()) }
                    let handler = HTTP2ClientHandler(settings: settings)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        return HTTP2ClientConnection(channel: channel, scheme: tls == nil ? "http" : "https", handler: handler)
    }

    /// Sends one request and waits for its complete response (headers, body, trailers).
    public func send(headers: [HTTP2Header], body: [UInt8]) async throws -> HTTP2Message {
        let promise = channel.eventLoop.makePromise(of: HTTP2Message.self)
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.send(headers: headers, body: body, promise: promise)
        }
        return try await promise.futureResult.get()
    }

    public func close() async {
        try? await channel.close()
    }
}

final class HTTP2ClientHandler: ChannelInboundHandler, NGHTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: NGHTTP2Session
    private var context: ChannelHandlerContext?
    private var pending: [Int32: EventLoopPromise<HTTP2Message>] = [:]
    /// Why the connection failed (a TLS handshake error, say), for requests sent after it closed.
    private var failure: (any Error)?
    private var closed = false
    /// Requests waiting for a free stream (the server's MAX_CONCURRENT_STREAMS).
    private var waiting: [([HTTP2Header], [UInt8], EventLoopPromise<HTTP2Message>)] = []

    init(settings: HTTP2Settings) {
        var s = settings
        s.maxBodySize = max(settings.maxBodySize, 64 << 20)
        session = NGHTTP2Session(role: .client, settings: s)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        session.delegate = self
        if context.channel.isActive { flush() }
    }

    func channelActive(context: ChannelHandlerContext) {
        flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { try session.receive($0) }
        } catch {
            failAll(
                HTTP2ClientConnection.ConnectionError(
                    description: "HTTP/2 protocol error: \(session.lastError ?? "\(error)")"))
            context.close(promise: nil)
            return
        }
        startWaiting()
        flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        let error = HTTP2ClientConnection.ConnectionError(
            description: "connection closed" + (session.lastError.map { " (\($0))" } ?? ""))
        failAll(failure ?? error)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = error }
        failAll(error)
        context.close(promise: nil)
    }

    func send(headers: [HTTP2Header], body: [UInt8], promise: EventLoopPromise<HTTP2Message>) {
        guard context != nil, !closed else {
            promise.fail(failure ?? HTTP2ClientConnection.ConnectionError(description: "connection closed"))
            return
        }
        let limit = session.remoteMaxConcurrentStreams
        if pending.count >= limit {
            waiting.append((headers, body, promise))
            return
        }
        submit(headers, body, promise)
        flush()
    }

    private func submit(_ headers: [HTTP2Header], _ body: [UInt8], _ promise: EventLoopPromise<HTTP2Message>) {
        guard let id = session.request(headers: headers, body: body) else {
            promise.fail(HTTP2ClientConnection.ConnectionError(description: "the session refused a new stream"))
            return
        }
        pending[id] = promise
    }

    private func startWaiting() {
        while !waiting.isEmpty, pending.count < session.remoteMaxConcurrentStreams {
            let (h, b, p) = waiting.removeFirst()
            submit(h, b, p)
        }
    }

    func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {}

    func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32) {
        guard let promise = pending.removeValue(forKey: response.streamID) else { return }
        if errorCode != 0, response.headers.isEmpty {
            promise.fail(
                HTTP2ClientConnection.ConnectionError(description: "stream reset by peer (error \(errorCode))"))
        } else {
            promise.succeed(response)
        }
    }

    private func flush() {
        guard let context else { return }
        var out: ByteBuffer?
        session.drainOutput { chunk in
            if out == nil { out = context.channel.allocator.buffer(capacity: Swift.max(chunk.count, 1024)) }
            out!.writeBytes(chunk)
        }
        if let out { context.writeAndFlush(wrapOutboundOut(out), promise: nil) }
        if !waiting.isEmpty { startWaiting() }
    }

    private func failAll(_ error: any Error) {
        let promises = Array(pending.values) + waiting.map(\.2)
        pending.removeAll()
        waiting.removeAll()
        for p in promises { p.fail(error) }
    }
}

/// The outcome of a unary gRPC call as a client sees it.
public struct GRPCCallResult: Sendable {
    public var status: GRPCStatusCode
    public var message: String
    /// The response message, unframed (empty on error).
    public var response: [UInt8]
    /// `grpc-status-details-bin`, decoded: a serialized `google.rpc.Status` (may carry RetryInfo).
    public var details: [UInt8]?

    public init(status: GRPCStatusCode, message: String, response: [UInt8], details: [UInt8]?) {
        self.status = status
        self.message = message
        self.response = response
        self.details = details
    }
}

extension HTTP2ClientConnection {
    /// A unary gRPC call: frames `message`, sends it to `path`, reads grpc-status from trailers (or a
    /// trailers-only response). `:scheme` is the connection's (`https` over TLS).
    public func unaryCall(
        path: String, authority: String, message: [UInt8], compressed: Bool = false, encoding: String = "gzip",
        extraHeaders: [HTTP2Header] = []
    ) async throws -> GRPCCallResult {
        var headers = [
            HTTP2Header(":method", "POST"), HTTP2Header(":scheme", scheme), HTTP2Header(":path", path),
            HTTP2Header(":authority", authority), HTTP2Header("content-type", "application/grpc"),
            HTTP2Header("te", "trailers"),
        ]
        if compressed { headers.append(HTTP2Header("grpc-encoding", encoding)) }
        headers.append(contentsOf: extraHeaders)
        let response = try await send(headers: headers, body: GRPCFraming.frame(message, compressed: compressed))
        guard let statusText = response.trailers["grpc-status"] ?? response.headers["grpc-status"],
            let code = Int32(statusText)
        else {
            let http = response.headers[":status"] ?? "?"
            // No gRPC status: map the HTTP status as gRPC clients do (503 and friends are UNAVAILABLE).
            let status: GRPCStatusCode = ["502", "503", "504", "429"].contains(http) ? .unavailable : .unknown
            return GRPCCallResult(
                status: status, message: "no grpc-status (HTTP status \(http))", response: [], details: nil)
        }
        let message = GRPCFraming.percentDecode(
            response.trailers["grpc-message"] ?? response.headers["grpc-message"] ?? "")
        var payload: [UInt8] = []
        if code == 0, let m = try? GRPCFraming.unaryMessage(response.body, limit: Int(Int32.max)) {
            payload = Array(m.bytes)
        }
        let details = (response.trailers["grpc-status-details-bin"] ?? response.headers["grpc-status-details-bin"])
            .flatMap(Base64.decode)
        return GRPCCallResult(
            status: GRPCStatusCode(rawValue: code), message: message, response: payload, details: details)
    }
}
