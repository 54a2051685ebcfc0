import GatewayCore
import HTTP2Transport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SelfTelemetry
import Synchronization
import Testing

@testable import OTLPReceiver

/// Counts what reaches the pipeline.
final class CountingSink: Consumer, Sendable {
    let calls = Atomic<Int>(0)
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        calls.add(1, ordering: .relaxed)
        return .accepted
    }
}

/// A receiver feeding one traces pipeline guarded by one memory limiter, whose flag the test sets.
struct Fixture {
    let registry = TelemetryRegistry()
    let sink = CountingSink()
    let pressure = MemoryPressure(name: "memory_limiter")

    func ingest(transport: String) -> OTLPIngest {
        var admission = MemoryAdmission()
        admission.add(pressure, for: .traces)
        return OTLPIngest(
            consumers: OTLPConsumers(traces: sink, admission: admission),
            telemetry: ReceiverTelemetry(registry: registry, receiver: "otlp", transport: transport))
    }

    func requests(_ outcome: String, transport: String) -> Double? {
        registry.value(
            "otelcol_receiver_requests_total", labels: ["receiver": "otlp", "transport": transport, "outcome": outcome])
    }
}

@Suite struct HTTPMemoryAdmissionTests {
    let fixture = Fixture()

    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(
            OTLPHTTPHandler(
                ingest: fixture.ingest(transport: "http"), maxBodySize: 20 << 20,
                paths: .init(traces: "/v1/traces", metrics: "/v1/metrics", logs: "/v1/logs")))
        return channel
    }

    /// The whole response written so far, as text (the body is a protobuf Status; its message is readable).
    func response(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(decoding: buffer.readableBytesView, as: UTF8.self)
        }
        return text
    }

    @Test func answers503WithoutKeepingOrDecodingALargeBody() throws {
        let channel = try channel()
        fixture.pressure.setRefusing(true)
        let size = 8 << 20
        try channel.writeInbound(
            channel.allocator.buffer(
                string: "POST /v1/traces HTTP/1.1\r\nHost: gw\r\nContent-Type: application/x-protobuf\r\n"
                    + "Content-Length: \(size)\r\n\r\n"))
        // Not a valid export request: had it been kept and decoded, the answer would be 400.
        let chunk = [UInt8](repeating: 0xFF, count: 1 << 20)
        for _ in 0..<(size >> 20) { try channel.writeInbound(channel.allocator.buffer(bytes: chunk)) }
        let answer = try response(channel)
        #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable"))
        #expect(answer.contains("Retry-After: 1"))
        #expect(answer.contains("data refused due to high memory usage"))
        #expect(fixture.sink.calls.load(ordering: .relaxed) == 0)
        #expect(fixture.requests("refused", transport: "http") == 1)
        #expect(fixture.requests("failure", transport: "http") == 0)

        // The connection stays usable; once memory is back, the same request shape is accepted.
        fixture.pressure.setRefusing(false)
        try channel.writeInbound(
            channel.allocator.buffer(
                string: "POST /v1/traces HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}"))
        #expect(try response(channel).hasPrefix("HTTP/1.1 200 OK"))
        #expect(fixture.requests("success", transport: "http") == 1)
        _ = try channel.finish()
    }

    @Test func otherSignalsAreNotGuardedByThisLimiter() throws {
        let channel = try channel()
        fixture.pressure.setRefusing(true)
        // No metrics pipeline: 404 as before, not 503.
        try channel.writeInbound(
            channel.allocator.buffer(
                string:
                    "POST /v1/metrics HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            ))
        #expect(try response(channel).hasPrefix("HTTP/1.1 404"))
        _ = try channel.finish()
    }
}

/// Collects what a client session decodes.
final class ResponseRecorder: NGHTTP2SessionDelegate {
    var responses: [Int32: HTTP2Message] = [:]
    func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message) {}
    func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32) {
        responses[response.streamID] = response
    }
}

@Suite struct GRPCMemoryAdmissionTests {
    let fixture = Fixture()

    /// Moves bytes between a client session and the server on an EmbeddedChannel until both are quiet.
    func pump(_ client: NGHTTP2Session, _ channel: EmbeddedChannel) throws {
        for _ in 0..<200 {
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

    @Test func refusesOnTheHeadersWithUnavailableAndRetryInfo() throws {
        let service = OTLPGRPCService(ingest: fixture.ingest(transport: "grpc"), maxMessageSize: 4 << 20)
        let channel = EmbeddedChannel(handler: HTTP2ServerHandler(settings: HTTP2Settings(), handler: service))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let client = NGHTTP2Session(role: .client)
        let recorder = ResponseRecorder()
        client.delegate = recorder
        let headers = [
            HTTP2Header(":method", "POST"), HTTP2Header(":scheme", "http"),
            HTTP2Header(":path", OTLPGRPCService.tracePath),
            HTTP2Header(":authority", "test"), HTTP2Header("content-type", "application/grpc"),
        ]
        fixture.pressure.setRefusing(true)
        // A 3 MiB message of garbage: decoded, it would be INVALID_ARGUMENT.
        let length = 3 << 20
        let body =
            [0, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + [UInt8](repeating: 0xFF, count: length)
        let refused = try #require(client.request(headers: headers, body: body))
        try pump(client, channel)
        let answer = try #require(recorder.responses[refused])
        let status = answer.trailers["grpc-status"] ?? answer.headers["grpc-status"]
        #expect(status == "14")
        #expect((answer.trailers["grpc-status-details-bin"] ?? answer.headers["grpc-status-details-bin"]) != nil)
        #expect(fixture.sink.calls.load(ordering: .relaxed) == 0)
        #expect(fixture.requests("refused", transport: "grpc") == 1)
        #expect(fixture.requests("failure", transport: "grpc") == 0)

        // Back under the limit: an empty export request is accepted on the same connection.
        fixture.pressure.setRefusing(false)
        let accepted = try #require(client.request(headers: headers, body: [0, 0, 0, 0, 0]))
        try pump(client, channel)
        let ok = try #require(recorder.responses[accepted])
        #expect(ok.trailers["grpc-status"] == "0")
        #expect(fixture.requests("success", transport: "grpc") == 1)
        _ = try channel.finish()
    }
}
