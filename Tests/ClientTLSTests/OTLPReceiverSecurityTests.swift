import ClientTLS
import ComponentKit
import GatewayCore
import Logging
import NIOCore
import NIOPosix
import OTLPExporter
import OTLPReceiver
import SelfTelemetry
import ServerTLS
import Synchronization
import Testing

/// The `otlp` receiver with `tls` and `auth`, driven by our own exporter over TLS: accepted with the token,
/// refused and counted without it, and a plaintext client's failed handshake counted without harm to others.
@Suite struct OTLPReceiverSecurityTests {
    static let token = "t0ken"
    /// The refusals are the point of these tests; their log lines are noise.
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    final class SpanCounter: Consumer, Sendable {
        typealias Data = Traces
        let spans = Atomic<Int>(0)

        func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
            spans.add(data.spanCount, ordering: .relaxed)
            return .accepted
        }
    }

    struct Fixture {
        let receiver: OTLPReceiver
        let registry: TelemetryRegistry
        let counter: SpanCounter
        let certs: TestCertificates

        var grpcPort: Int { receiver.grpcAddress?.port ?? 0 }
        var httpPort: Int { receiver.httpAddress?.port ?? 0 }

        func value(_ name: String, _ transport: String) -> Double {
            registry.value(name, labels: ["receiver": "otlp", "transport": transport]) ?? 0
        }
    }

    static func start(clientCA: Bool = false) async throws -> Fixture {
        let certs = try TestCertificates.get()
        let options = ServerTLS.Options(
            certFile: certs.server.cert, keyFile: certs.server.key, clientCAFile: clientCA ? certs.ca : nil)
        let grpcTLS = try ServerTLS(options, applicationProtocols: ["h2"])
        let httpTLS = try ServerTLS(options, applicationProtocols: ["http/1.1"])
        let authenticator = RequestAuthenticator(
            name: "bearertokenauth", scheme: "Bearer", credentials: [Array(token.utf8)])
        let registry = TelemetryRegistry()
        let counter = SpanCounter()
        let receiver = OTLPReceiver(
            name: "otlp",
            grpc: .init(port: 0, tls: { grpcTLS.makeHandlers(onHandshakeFailure: $0) }, authenticator: authenticator),
            http: .init(port: 0, tls: { httpTLS.makeHandlers(onHandshakeFailure: $0) }, authenticator: authenticator),
            consumers: OTLPConsumers(traces: counter), registry: registry, logger: Self.quiet)
        try await receiver.start(group: MultiThreadedEventLoopGroup.singleton)
        return Fixture(receiver: receiver, registry: registry, counter: counter, certs: certs)
    }

    /// Sends one span with our exporter and waits until it is sent or has failed.
    static func export(
        _ transport: OTLPExporter<Traces>.Transport, token: String?, clientCert: Bool = false, certs: TestCertificates
    ) async throws -> (sent: Double, failed: Double) {
        let alpn: [String]
        if case .grpc = transport { alpn = ["h2"] } else { alpn = ["http/1.1"] }
        let tls = try ClientTLS(
            ClientTLS.Options(
                caFile: certs.ca, certFile: clientCert ? certs.client.cert : nil,
                keyFile: clientCert ? certs.client.key : nil),
            applicationProtocols: alpn)
        let registry = TelemetryRegistry()
        let exporter = OTLPExporter<Traces>(
            name: "otlp/out",
            settings: .init(
                transport: transport, headers: token.map { [("authorization", "Bearer \($0)")] } ?? [],
                queueLimits: .requests(4), numConsumers: 1, retry: RetryPolicy(enabled: false), tls: tls),
            registry: registry, logger: Self.quiet)
        let run = Task { await exporter.run() }
        let span = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(value: 3), name: "secured")
        _ = try exporter.consume(Traces(resourceSpans: [ResourceSpans(scopeSpans: [ScopeSpans(spans: [span])])]))
        let labels = ["exporter": "otlp/out"]
        let sent = { registry.value("otelcol_exporter_sent_spans_total", labels: labels) ?? 0 }
        let failed = { registry.value("otelcol_exporter_send_failed_spans_total", labels: labels) ?? 0 }
        for _ in 0..<500 where sent() + failed() == 0 { try await Task.sleep(for: .milliseconds(10)) }
        run.cancel()
        await run.value
        return (sent(), failed())
    }

    @Test(arguments: ["grpc", "http"])
    func acceptsTheTokenAndRefusesOthers(transport: String) async throws {
        let f = try await Self.start()
        defer { Task { await f.receiver.shutdown() } }
        let target: OTLPExporter<Traces>.Transport =
            transport == "grpc"
            ? .grpc(host: "127.0.0.1", port: f.grpcPort)
            : .http(host: "127.0.0.1", port: f.httpPort, path: "/v1/traces", json: false)

        #expect(try await Self.export(target, token: Self.token, certs: f.certs) == (1, 0))
        #expect(f.counter.spans.load(ordering: .relaxed) == 1)

        #expect(try await Self.export(target, token: "guess", certs: f.certs) == (0, 1))
        #expect(try await Self.export(target, token: nil, certs: f.certs) == (0, 1))
        #expect(f.counter.spans.load(ordering: .relaxed) == 1)
        #expect(f.value("otlp_gateway_receiver_auth_failures_total", transport) == 2)
        #expect(
            f.registry.value(
                "otelcol_receiver_requests_total",
                labels: ["receiver": "otlp", "transport": transport, "outcome": "failure"]) == 2)
        #expect(f.value("otlp_gateway_receiver_tls_handshake_failures_total", transport) == 0)
    }

    @Test func mutualTLSRefusesAClientWithoutACertificate() async throws {
        let f = try await Self.start(clientCA: true)
        defer { Task { await f.receiver.shutdown() } }
        let target = OTLPExporter<Traces>.Transport.grpc(host: "127.0.0.1", port: f.grpcPort)
        #expect(try await Self.export(target, token: Self.token, clientCert: true, certs: f.certs) == (1, 0))
        #expect(try await Self.export(target, token: Self.token, certs: f.certs) == (0, 1))
        for _ in 0..<200 where f.value("otlp_gateway_receiver_tls_handshake_failures_total", "grpc") == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(f.value("otlp_gateway_receiver_tls_handshake_failures_total", "grpc") == 1)
        #expect(f.counter.spans.load(ordering: .relaxed) == 1)
    }

    @Test func aPlaintextClientIsCountedAndOthersAreServed() async throws {
        let f = try await Self.start()
        defer { Task { await f.receiver.shutdown() } }
        // Plaintext HTTP/1.1 to the TLS port: the server closes the connection without an HTTP answer.
        let received = Collect.Bytes()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collect(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: f.httpPort).get()
        var request = channel.allocator.buffer(capacity: 64)
        request.writeString("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        try await channel.writeAndFlush(request)
        try await channel.closeFuture.get()
        #expect(!String(decoding: received.value.withLock { $0 }, as: UTF8.self).hasPrefix("HTTP/"))
        for _ in 0..<200 where f.value("otlp_gateway_receiver_tls_handshake_failures_total", "http") == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(f.value("otlp_gateway_receiver_tls_handshake_failures_total", "http") == 1)

        let target = OTLPExporter<Traces>.Transport.http(
            host: "127.0.0.1", port: f.httpPort, path: "/v1/traces", json: false)
        #expect(try await Self.export(target, token: Self.token, certs: f.certs) == (1, 0))
    }

    /// Keeps what the server sends.
    final class Collect: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer

        final class Bytes: Sendable {
            let value = Mutex<[UInt8]>([])
        }

        let received: Bytes

        init(received: Bytes) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.value.withLock { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}
