import HTTP2Transport
import NIOCore
import NIOEmbedded
import Testing

/// Answers every request with its path echoed in a header and its body reversed; records what it saw.
final class EchoHandler: HTTP2RequestHandler {
    var requests: [HTTP2Message] = []

    func handle(_ request: HTTP2Message) -> HTTP2Response {
        requests.append(request)
        if request.headers[":path"] == "/trailers-only" {
            return GRPCFraming.errorResponse(.unimplemented, message: "nope 100%")
        }
        return HTTP2Response(
            headers: [HTTP2Header(":status", "200"), HTTP2Header("x-path", request.headers[":path"] ?? "")],
            body: request.body.reversed(),
            trailers: [HTTP2Header("grpc-status", "0")]
        )
    }
}

/// Collects what a client session decodes.
final class ClientRecorder: NGHTTP2SessionDelegate {
    var responses: [Int32: (HTTP2Message, UInt32)] = [:]
    func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {}
    func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32) {
        responses[response.streamID] = (response, errorCode)
    }
}

/// Moves bytes between a client session and the server handler on an EmbeddedChannel until both are quiet.
func pump(_ client: NGHTTP2Session, _ channel: EmbeddedChannel) throws {
    for _ in 0..<50 {
        var out: [UInt8] = []
        client.drainOutput(into: &out)
        var moved = !out.isEmpty
        if !out.isEmpty { try channel.writeInbound(channel.allocator.buffer(bytes: out)) }
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            moved = true
            try buffer.withUnsafeReadableBytes { try client.receive($0) }
        }
        if !moved { return }
    }
}

func request(_ path: String) -> [HTTP2Header] {
    [
        HTTP2Header(":method", "POST"), HTTP2Header(":scheme", "http"), HTTP2Header(":path", path),
        HTTP2Header(":authority", "test"), HTTP2Header("content-type", "application/grpc"),
    ]
}

@Suite struct HTTP2ServerHandlerTests {
    @Test func answersConcurrentStreamsWithBodiesAndTrailers() throws {
        let handler = EchoHandler()
        let channel = EmbeddedChannel(handler: HTTP2ServerHandler(settings: HTTP2Settings(), handler: handler))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let client = NGHTTP2Session(role: .client)
        let recorder = ClientRecorder()
        client.delegate = recorder

        var ids: [Int32] = []
        for i in 0..<10 {
            let body = Array(repeating: UInt8(i), count: 1000 * (i + 1)) + [0xFF]
            ids.append(try #require(client.request(headers: request("/p\(i)"), body: body)))
        }
        try pump(client, channel)

        #expect(handler.requests.count == 10)
        for (i, id) in ids.enumerated() {
            let (response, code) = try #require(recorder.responses[id])
            #expect(code == 0)
            #expect(response.headers[":status"] == "200")
            #expect(response.headers["x-path"] == "/p\(i)")
            #expect(response.body == ([0xFF] + Array(repeating: UInt8(i), count: 1000 * (i + 1))))
            #expect(response.trailers["grpc-status"] == "0")
        }
        _ = try channel.finish()
    }

    @Test func trailersOnlyResponseCarriesPercentEncodedStatus() throws {
        let handler = EchoHandler()
        let channel = EmbeddedChannel(handler: HTTP2ServerHandler(settings: HTTP2Settings(), handler: handler))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let client = NGHTTP2Session(role: .client)
        let recorder = ClientRecorder()
        client.delegate = recorder
        let id = try #require(client.request(headers: request("/trailers-only"), body: [1, 2, 3]))
        try pump(client, channel)
        let (response, _) = try #require(recorder.responses[id])
        #expect(response.headers["grpc-status"] == "12")
        #expect(response.headers["grpc-message"] == "nope 100%25")
        #expect(response.body.isEmpty)
        #expect(response.trailers.isEmpty)
        _ = try channel.finish()
    }

    @Test func bodyOverLimitIsFlaggedAndNotBuffered() throws {
        let handler = EchoHandler()
        var settings = HTTP2Settings()
        settings.maxBodySize = 4096
        let channel = EmbeddedChannel(handler: HTTP2ServerHandler(settings: settings, handler: handler))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let client = NGHTTP2Session(role: .client)
        let recorder = ClientRecorder()
        client.delegate = recorder
        _ = client.request(headers: request("/big"), body: Array(repeating: 7, count: 100_000))
        _ = client.request(headers: request("/small"), body: Array(repeating: 7, count: 4096))
        try pump(client, channel)
        let big = try #require(handler.requests.first { $0.headers[":path"] == "/big" })
        #expect(big.bodyTruncated)
        #expect(big.body.isEmpty)
        let small = try #require(handler.requests.first { $0.headers[":path"] == "/small" })
        #expect(!small.bodyTruncated)
        #expect(small.body.count == 4096)
        #expect(recorder.responses.count == 2)
        _ = try channel.finish()
    }

    @Test func aHandlerCanDropABodyOnItsHeaders() throws {
        /// Keeps only the bodies of requests carrying `authorization: ok`.
        final class Guarded: HTTP2RequestHandler {
            var requests: [HTTP2Message] = []
            func shouldBufferBody(headers: [HTTP2Header]) -> Bool { headers["authorization"] == "ok" }
            func handle(_ request: HTTP2Message) -> HTTP2Response {
                requests.append(request)
                return GRPCFraming.errorResponse(.unauthenticated, message: "no")
            }
        }
        let handler = Guarded()
        let channel = EmbeddedChannel(handler: HTTP2ServerHandler(settings: HTTP2Settings(), handler: handler))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let client = NGHTTP2Session(role: .client)
        let recorder = ClientRecorder()
        client.delegate = recorder
        _ = client.request(headers: request("/denied"), body: Array(repeating: 7, count: 100_000))
        _ = client.request(headers: request("/allowed") + [HTTP2Header("authorization", "ok")], body: [1, 2, 3])
        try pump(client, channel)
        let denied = try #require(handler.requests.first { $0.headers[":path"] == "/denied" })
        #expect(denied.body.isEmpty)
        #expect(denied.bodyTruncated)
        let allowed = try #require(handler.requests.first { $0.headers[":path"] == "/allowed" })
        #expect(allowed.body == [1, 2, 3])
        #expect(recorder.responses.count == 2)
        _ = try channel.finish()
    }

    @Test func garbageInputClosesTheConnectionWithoutCrashing() throws {
        let handler = EchoHandler()
        let channel = EmbeddedChannel(handler: HTTP2ServerHandler(settings: HTTP2Settings(), handler: handler))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(channel.allocator.buffer(bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        // nghttp2 rejects the missing connection preface: a GOAWAY goes out and the channel closes.
        var sawOutput = false
        while try channel.readOutbound(as: ByteBuffer.self) != nil { sawOutput = true }
        #expect(sawOutput)
        #expect(!channel.isActive)
        #expect(handler.requests.isEmpty)
    }
}
