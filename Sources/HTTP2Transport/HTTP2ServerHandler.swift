public import NIOCore

/// Answers complete HTTP/2 requests. Called on the connection's event loop; must not block.
public protocol HTTP2RequestHandler: AnyObject {
    func handle(_ request: HTTP2Message) -> HTTP2Response
    /// Whether to keep the body of a request with these headers; false when it will be refused anyway (failed
    /// authentication, a memory limit), so its body is dropped as it arrives. `handle` gets the request at once,
    /// before its body, flagged `bodyTruncated` and `bodyRefused`.
    func shouldBufferBody(headers: [HTTP2Header]) -> Bool
    /// Asked once per request when its first body bytes have arrived; nil never asks.
    var bodyPrefixCheck: BodyPrefixCheck? { get }
}

extension HTTP2RequestHandler {
    public func shouldBufferBody(headers: [HTTP2Header]) -> Bool { true }
    public var bodyPrefixCheck: BodyPrefixCheck? { nil }
}

/// A look at the first bytes of a request body (e.g. a gRPC length prefix) to refuse the rest before it arrives.
public struct BodyPrefixCheck: Sendable {
    public var length: Int
    /// False drops the body and hands the request over at once, flagged `bodyTruncated`.
    public var keep: @Sendable (ArraySlice<UInt8>) -> Bool

    public init(length: Int, keep: @escaping @Sendable (ArraySlice<UInt8>) -> Bool) {
        self.length = length
        self.keep = keep
    }
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

/// Time limits of one server connection; nil disables a limit.
public struct HTTP2ConnectionLimits: Sendable {
    /// The client must have sent its connection preface and first SETTINGS within this (after TLS, if any).
    public var handshakeTimeout: TimeAmount? = .seconds(10)
    /// A connection with no open stream for this long gets GOAWAY and is closed (gRPC's `max_connection_idle`).
    public var maxConnectionIdle: TimeAmount? = .minutes(10)
    /// A connection older than this gets GOAWAY (`max_connection_age`); in-flight streams may finish for
    /// `maxConnectionAgeGrace`, then it is closed.
    public var maxConnectionAge: TimeAmount?
    public var maxConnectionAgeGrace: TimeAmount?
    /// A stream that has not moved (no headers or data received, no output taken) for this long is reset: a
    /// client that never opens its flow-control window, or stops sending its body, holds nothing for ever.
    public var streamStallTimeout: TimeAmount? = .seconds(60)

    public init() {}
}

/// What a server connection refused or ended on its own, for the owner's self-metrics.
public enum HTTP2ServerEvent: Sendable {
    /// A stream's decoded header list exceeded SETTINGS_MAX_HEADER_LIST_SIZE and was reset.
    case headerListTooLarge
    /// The connection was closed: no preface within `handshakeTimeout`.
    case handshakeTimeout
    /// The connection was closed after `maxConnectionIdle` without streams.
    case idleTimeout
    /// The connection reached `maxConnectionAge` (GOAWAY sent).
    case maxAge
    /// A stream was reset after `streamStallTimeout` without progress.
    case streamStalled
    /// The peer broke the protocol; the connection was closed after GOAWAY.
    case protocolError
}

/// Runs an nghttp2 server session on a NIO channel: bytes in, nghttp2 output back out. nghttp2 does the
/// framing, HPACK and flow control; this handler only moves bytes and hands complete requests to `handler`.
public final class HTTP2ServerHandler: ChannelInboundHandler, NGHTTP2SessionDelegate {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let session: NGHTTP2Session
    private let handler: any HTTP2RequestHandler
    private let limits: HTTP2ConnectionLimits
    private let onEvent: (@Sendable (HTTP2ServerEvent) -> Void)?
    private var context: ChannelHandlerContext?
    private var closing = false
    /// Times come from the event loop (`eventLoop.now`), so a test's EmbeddedEventLoop can advance them.
    private var openedAt = NIODeadline.uptimeNanoseconds(0)
    private var idleSince: NIODeadline?
    private var agedOut = false
    private var timer: Scheduled<Void>?

    public init(
        settings: HTTP2Settings, handler: any HTTP2RequestHandler,
        limits: HTTP2ConnectionLimits = HTTP2ConnectionLimits(),
        onEvent: (@Sendable (HTTP2ServerEvent) -> Void)? = nil
    ) {
        self.session = NGHTTP2Session(role: .server, settings: settings)
        self.handler = handler
        self.limits = limits
        self.onEvent = onEvent
        session.shouldBufferBody = { handler.shouldBufferBody(headers: $0) }
        if let prefix = handler.bodyPrefixCheck {
            session.bodyPrefixLength = prefix.length
            session.shouldKeepBody = prefix.keep
        }
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        session.delegate = self
        // Output waits for channelActive: an accepted channel is added to before it is registered, and a write
        // then would be lost, putting a response ahead of our SETTINGS on the wire.
    }

    public func channelActive(context: ChannelHandlerContext) {
        openedAt = context.eventLoop.now
        idleSince = openedAt
        scheduleCheck(context: context)
        // The server connection preface (our SETTINGS) goes out at once.
        flushOutput(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    /// How often the limits are looked at: a quarter of the shortest, between 100 ms and 30 s. One timer per
    /// connection, re-armed lazily, so thousands of idle connections cost a few wake-ups a second in all.
    private var checkInterval: TimeAmount {
        let candidates = [
            limits.handshakeTimeout, limits.maxConnectionIdle, limits.maxConnectionAge, limits.streamStallTimeout,
        ].compactMap { $0 }
        guard let shortest = candidates.min() else { return .seconds(30) }
        return Swift.min(.seconds(30), Swift.max(.milliseconds(100), .nanoseconds(shortest.nanoseconds / 4)))
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        guard !closing else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: checkInterval) {
            let handler = loopBound.value
            guard let context = handler.context else { return }
            handler.checkLimits(context: context)
        }
    }

    private func checkLimits(context: ChannelHandlerContext) {
        guard !closing else { return }
        let now = context.eventLoop.now
        if let handshake = limits.handshakeTimeout, session.framesReceived == 0, now - openedAt >= handshake {
            onEvent?(.handshakeTimeout)
            close(context: context)
            return
        }
        if session.openStreamCount == 0 {
            let since = idleSince ?? now
            idleSince = since
            if let idle = limits.maxConnectionIdle, session.framesReceived > 0 || limits.handshakeTimeout == nil,
                now - since >= idle
            {
                onEvent?(.idleTimeout)
                session.goAway()
                flushOutput(context: context)
                close(context: context)
                return
            }
        } else {
            idleSince = nil
        }
        if let age = limits.maxConnectionAge, now - openedAt >= age {
            if !agedOut {
                agedOut = true
                onEvent?(.maxAge)
                session.goAway()
                flushOutput(context: context)
            }
            let grace = limits.maxConnectionAgeGrace ?? .seconds(0)
            if session.openStreamCount == 0 || now - openedAt >= age + grace {
                close(context: context)
                return
            }
        }
        if let stall = limits.streamStallTimeout {
            session.now = UInt64(now.uptimeNanoseconds)
            let cutoff =
                now.uptimeNanoseconds >= UInt64(stall.nanoseconds)
                ? now.uptimeNanoseconds - UInt64(stall.nanoseconds) : 0
            let reset = session.resetStalledStreams(notActiveSince: cutoff)
            if reset > 0 {
                for _ in 0..<reset { onEvent?(.streamStalled) }
                flushOutput(context: context)
            }
        }
        scheduleCheck(context: context)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        session.now = UInt64(context.eventLoop.now.uptimeNanoseconds)
        do {
            try buffer.withUnsafeReadableBytes { bytes in try session.receive(bytes) }
        } catch {
            // nghttp2 has queued a GOAWAY with the error; send it, then close.
            reportOversizedHeaders()
            onEvent?(.protocolError)
            flushOutput(context: context)
            close(context: context)
            return
        }
        reportOversizedHeaders()
        flushOutput(context: context)
    }

    private func reportOversizedHeaders() {
        let n = session.takeOversizedHeaderLists()
        guard n > 0, let onEvent else { return }
        for _ in 0..<n { onEvent(.headerListTooLarge) }
    }

    public func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {
        let response = handler.handle(request)
        session.respond(
            streamID: request.streamID, headers: response.headers, body: response.body, trailers: response.trailers)
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
        session.now = UInt64(context.eventLoop.now.uptimeNanoseconds)
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
        timer?.cancel()
        timer = nil
        context.close(promise: nil)
    }
}
