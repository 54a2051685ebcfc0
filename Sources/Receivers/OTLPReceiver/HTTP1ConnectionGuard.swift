public import NIOCore

/// Time limits of one HTTP/1.1 connection, as Go's `http.Server` (and so the Collector) names them; nil disables.
public struct HTTP1ConnectionTimeouts: Sendable {
    /// A new connection, or a keep-alive one once a request's first byte arrived, must complete the request's
    /// head within this (`read_header_timeout`): a slowloris client trickling headers is closed.
    public var readHeader: TimeAmount? = .seconds(60)
    /// A keep-alive connection with no request for this long is closed, and so is one whose request body stops
    /// arriving for this long (`idle_timeout`).
    public var idle: TimeAmount? = .seconds(60)
    /// A response must be taken by the client within this (`write_timeout`).
    public var write: TimeAmount? = .seconds(30)

    public init() {}
}

/// Where one HTTP/1.1 connection is in its request cycle, shared by the byte-level guard (first byte of a head)
/// and the request handler (head complete, request complete, response written). One per connection, used on its
/// event loop only.
final class HTTP1ConnectionClock {
    enum Timeout { case readHeader, idle, write }
    enum Phase { case idle, readingHead, readingBody, processing, writing }

    let timeouts: HTTP1ConnectionTimeouts
    let onTimeout: (Timeout) -> Void
    private(set) var phase: Phase = .readingHead
    private(set) var since = NIODeadline.now()

    init(timeouts: HTTP1ConnectionTimeouts, onTimeout: @escaping (Timeout) -> Void) {
        self.timeouts = timeouts
        self.onTimeout = onTimeout
    }

    func enter(_ phase: Phase) {
        self.phase = phase
        since = .now()
    }

    /// Body bytes arrived: the body's idle timer starts again.
    func progressed() { since = .now() }

    /// The timeout that has expired at `now`, if any.
    func expired(at now: NIODeadline) -> Timeout? {
        let elapsed = now - since
        switch phase {
        case .readingHead: return timeouts.readHeader.flatMap { elapsed >= $0 ? .readHeader : nil }
        case .idle, .readingBody: return timeouts.idle.flatMap { elapsed >= $0 ? .idle : nil }
        case .writing: return timeouts.write.flatMap { elapsed >= $0 ? .write : nil }
        case .processing: return nil
        }
    }

    /// How often to look: a quarter of the shortest timeout, between 100 ms and 30 s.
    var checkInterval: TimeAmount {
        let shortest = [timeouts.readHeader, timeouts.idle, timeouts.write].compactMap { $0 }.min() ?? .seconds(120)
        return Swift.min(.seconds(30), Swift.max(.milliseconds(100), .nanoseconds(shortest.nanoseconds / 4)))
    }
}

/// First in an HTTP/1.1 connection's pipeline (after TLS): sees the raw bytes before NIO's HTTP decoder, so it
/// can start the header timer at a request's first byte and refuse a head larger than `maxHeadSize` with 431
/// before the decoder has buffered it (4 MB of headers cost 16 KB). It also runs the connection's timer.
final class HTTP1HeadGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let clock: HTTP1ConnectionClock
    private let maxHeadSize: Int
    private let onRefused: () -> Void
    private var headBytes = 0
    /// The last bytes seen of a head, to find "\r\n\r\n" across reads.
    private var tail: UInt32 = 0
    private var scanning = true
    private var refused = false
    private var timer: Scheduled<Void>?

    init(clock: HTTP1ConnectionClock, maxHeadSize: Int, onRefused: @escaping () -> Void) {
        self.clock = clock
        self.maxHeadSize = maxHeadSize
        self.onRefused = onRefused
    }

    func channelActive(context: ChannelHandlerContext) {
        clock.enter(.readingHead)
        schedule(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func schedule(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: clock.checkInterval) {
            let (handler, context) = bound.value
            handler.check(context: context)
        }
    }

    private func check(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        if let expired = clock.expired(at: .now()) {
            clock.onTimeout(expired)
            context.close(promise: nil)
            return
        }
        schedule(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        let buffer = unwrapInboundIn(data)
        if clock.phase == .idle {
            clock.enter(.readingHead)
            scanning = true
            headBytes = 0
            tail = 0
        }
        if clock.phase == .readingBody { clock.progressed() }
        if scanning {
            // Count head bytes up to the blank line that ends the head.
            let end = buffer.withUnsafeReadableBytes { bytes -> Int? in
                var t = tail
                for (i, b) in bytes.enumerated() {
                    t = (t << 8) | UInt32(b)
                    if t == 0x0D0A_0D0A {
                        tail = t
                        return i + 1
                    }
                }
                tail = t
                return nil
            }
            headBytes += end ?? buffer.readableBytes
            if headBytes > maxHeadSize {
                refuse(context: context)
                return
            }
            if end != nil { scanning = false }
        }
        context.fireChannelRead(data)
    }

    private func refuse(context: ChannelHandlerContext) {
        refused = true
        onRefused()
        let text = "431 Request Header Fields Too Large: the request line and headers exceed \(maxHeadSize) bytes\n"
        let response =
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n" + text
        var out = context.channel.allocator.buffer(capacity: response.utf8.count)
        out.writeString(response)
        // Written below the HTTP encoder (this handler comes first), then the connection is closed.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }
}
