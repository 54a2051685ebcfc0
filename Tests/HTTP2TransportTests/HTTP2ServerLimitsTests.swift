import HTTP2Transport
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// The server connection's own protections, on an EmbeddedChannel whose event loop time the tests advance:
/// the decoded header-list limit, handshake and idle timeouts, stalled streams, and early answers on a body prefix.
@Suite struct HTTP2ServerLimitsTests {
    final class Events: Sendable {
        let seen = Mutex<[String]>([])
        func record(_ event: HTTP2ServerEvent) { seen.withLock { $0.append("\(event)") } }
        var all: [String] { seen.withLock { $0 } }
    }

    final class PrefixHandler: HTTP2RequestHandler {
        var requests: [HTTP2Message] = []
        func handle(_ request: HTTP2Message) -> HTTP2Response {
            requests.append(request)
            return GRPCFraming.errorResponse(request.bodyTruncated ? .resourceExhausted : .ok, message: "")
        }
        var bodyPrefixCheck: BodyPrefixCheck? {
            BodyPrefixCheck(length: 5) { (GRPCFraming.announcedLength($0) ?? 0) <= 100 }
        }
    }

    static func connect(
        _ handler: any HTTP2RequestHandler = EchoHandler(), limits: HTTP2ConnectionLimits = HTTP2ConnectionLimits(),
        settings: HTTP2Settings = HTTP2Settings(), events: Events
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(
            handler: HTTP2ServerHandler(
                settings: settings, handler: handler, limits: limits, onEvent: { events.record($0) }))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func headerListOverTheLimitResetsOnlyThatStream() throws {
        let events = Events()
        let channel = try Self.connect(events: events)
        let client = NGHTTP2Session(role: .client)
        let recorder = ClientRecorder()
        client.delegate = recorder
        let big = (0..<3).map { HTTP2Header("x-big-\($0)", String(repeating: "v", count: 7000)) }
        let refused = try #require(client.request(headers: request("/big") + big, body: [1]))
        let fine = try #require(client.request(headers: request("/fine"), body: [2]))
        try pump(client, channel)
        #expect(recorder.responses[refused]?.1 != 0, "the oversized stream is reset")
        #expect(recorder.responses[fine]?.0.headers[":status"] == "200")
        #expect(events.all == ["headerListTooLarge"])
        _ = try channel.finish()
    }

    @Test func noPrefaceWithinTheHandshakeTimeoutCloses() throws {
        let events = Events()
        var limits = HTTP2ConnectionLimits()
        limits.handshakeTimeout = .seconds(2)
        let channel = try Self.connect(limits: limits, events: events)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
        #expect(events.all == ["handshakeTimeout"])
    }

    @Test func idleConnectionGetsGoAwayAndCloses() throws {
        let events = Events()
        var limits = HTTP2ConnectionLimits()
        limits.maxConnectionIdle = .seconds(10)
        let channel = try Self.connect(limits: limits, events: events)
        let client = NGHTTP2Session(role: .client)
        client.delegate = ClientRecorder()
        _ = client.request(headers: request("/one"), body: [1])
        try pump(client, channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(channel.isActive, "not idle long enough yet")
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(!channel.isActive)
        #expect(events.all == ["idleTimeout"])
    }

    @Test func streamWhoseWindowNeverOpensIsReset() throws {
        let events = Events()
        var limits = HTTP2ConnectionLimits()
        limits.streamStallTimeout = .seconds(4)
        limits.maxConnectionIdle = nil
        let channel = try Self.connect(limits: limits, events: events)
        var clientSettings = HTTP2Settings()
        clientSettings.initialWindowSize = 0
        let client = NGHTTP2Session(role: .client, settings: clientSettings)
        let recorder = ClientRecorder()
        client.delegate = recorder
        let id = try #require(client.request(headers: request("/echo"), body: Array(repeating: 7, count: 100)))
        try pump(client, channel)
        #expect(recorder.responses[id] == nil, "the response body waits for a window that never opens")
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        try pump(client, channel)
        #expect(recorder.responses[id].map { $0.1 != 0 } == true, "reset")
        #expect(events.all == ["streamStalled"])
        _ = try channel.finish()
    }

    @Test func oversizedLengthPrefixIsAnsweredBeforeTheBodyEnds() throws {
        let events = Events()
        let handler = PrefixHandler()
        let channel = try Self.connect(handler, events: events)
        let client = NGHTTP2Session(role: .client)
        let recorder = ClientRecorder()
        client.delegate = recorder
        // A body that announces 4 GiB but is much shorter: the request is handed over on the prefix.
        _ = try #require(client.request(headers: request("/p"), body: [0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]))
        try pump(client, channel)
        #expect(handler.requests.count == 1)
        #expect(handler.requests.first?.bodyTruncated == true)
        _ = try channel.finish()
    }
}
