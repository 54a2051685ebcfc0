public import NIOCore

/// Answers complete HTTP/2 requests. Called on the connection's event loop; must not block.
public protocol HTTP2RequestHandler: AnyObject {
    func handle(_ request: HTTP2Message) -> HTTP2Response
    /// Whether to keep the body of a request with these headers; false when it will be refused anyway (failed
    /// authentication, a memory limit), so its body is dropped as it arrives. `handle` gets the request at once,
    /// before its body, flagged `bodyTruncated` and `bodyRefused`.
    func shouldBufferBody(headers: [HTTP2Header]) -> Bool
}

extension HTTP2RequestHandler {
    public func shouldBufferBody(headers: [HTTP2Header]) -> Bool { true }
}

/// A complete response: headers, optional body, optional trailers (gRPC puts its status there).
public struct HTTP2Response: Sendable {
    public var headers: [HTTP2Header]
    public var body: [UInt8]?
    public var trailers: [HTTP2Header]

    public init(headers: [HTTP2Header], body: [UInt8]? = nil, trailers: [HTTP2Header] = []) {
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }
}

/// Runs an nghttp2 server session on a NIO channel: bytes in, nghttp2 output back out. nghttp2 does the
/// framing, HPACK and flow control; this handler only moves bytes and hands complete requests to `handler`.
public final class HTTP2ServerHandler: ChannelInboundHandler, NGHTTP2SessionDelegate {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let session: NGHTTP2Session
    private let handler: any HTTP2RequestHandler
    private var context: ChannelHandlerContext?
    private var closing = false

    public init(settings: HTTP2Settings, handler: any HTTP2RequestHandler) {
        self.session = NGHTTP2Session(role: .server, settings: settings)
        self.handler = handler
        session.shouldBufferBody = { handler.shouldBufferBody(headers: $0) }
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        session.delegate = self
        // Output waits for channelActive: an accepted channel is added to before it is registered, and a write
        // then would be lost, putting a response ahead of our SETTINGS on the wire.
    }

    public func channelActive(context: ChannelHandlerContext) {
        // The server connection preface (our SETTINGS) goes out at once.
        flushOutput(context: context)
        context.fireChannelActive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes in try session.receive(bytes) }
        } catch {
            // nghttp2 has queued a GOAWAY with the error; send it, then close.
            flushOutput(context: context)
            close(context: context)
            return
        }
        flushOutput(context: context)
    }

    public func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {
        let response = handler.handle(request)
        session.respond(streamID: request.streamID, headers: response.headers, body: response.body, trailers: response.trailers)
    }

    public func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32) {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Graceful shutdown: GOAWAY lets in-flight streams finish, new ones go elsewhere.
            session.goAway()
            flushOutput(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context: context)
    }

    private func flushOutput(context: ChannelHandlerContext) {
        var out: ByteBuffer?
        session.drainOutput { chunk in
            if out == nil { out = context.channel.allocator.buffer(capacity: Swift.max(chunk.count, 1024)) }
            out!.writeBytes(chunk)
        }
        if let out {
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }
        if !session.isAlive { close(context: context) }
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.close(promise: nil)
    }
}
