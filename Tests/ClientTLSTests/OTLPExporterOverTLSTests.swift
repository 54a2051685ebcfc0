import ClientTLS
import GatewayCore
import Logging
import OTLPExporter
import SelfTelemetry
import Synchronization
import TestSupport
import Testing

/// The `otlp` exporter over TLS: a failed handshake is logged and retried on a new connection.
@Suite struct OTLPExporterOverTLSTests {
    @Test func aFailedHandshakeIsLoggedAndTheRetryReconnects() async throws {
        let certs = try TestCertificates.get()
        // First the server presents a certificate that does not name 127.0.0.1; the backoff swaps in a good one.
        let good = try TLSTestServer.Identity(cert: certs.server.cert, key: certs.server.key)
        let server = try await TLSTestServer.start(
            .http2, identity: try .init(cert: certs.namedServer.cert, key: certs.namedServer.key))
        defer { Task { await server.close() } }

        let registry = TelemetryRegistry()
        let log = CapturedLog()
        let tls = try ClientTLS(ClientTLS.Options(caFile: certs.ca), applicationProtocols: ["h2"])
        let exporter = OTLPExporter<Traces>(
            name: "otlp/tls",
            settings: .init(
                transport: .grpc(host: "127.0.0.1", port: server.port), queueLimits: .requests(4), numConsumers: 1,
                retry: RetryPolicy(initialInterval: .milliseconds(10)), tls: tls),
            registry: registry, logger: log.logger,
            sleep: { _ in server.state.identity = good })
        let run = Task { await exporter.run() }
        let span = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(value: 3), name: "over TLS")
        _ = try exporter.consume(Traces(resourceSpans: [ResourceSpans(scopeSpans: [ScopeSpans(spans: [span])])]))

        let sent = { registry.value("otelcol_exporter_sent_spans_total", labels: ["exporter": "otlp/tls"]) }
        for _ in 0..<500 where sent() == 0 { try await Task.sleep(for: .milliseconds(20)) }
        run.cancel()
        await run.value

        #expect(server.state.requests.map(\.path) == ["/opentelemetry.proto.collector.trace.v1.TraceService/Export"])
        #expect(server.state.requests.first?.scheme == "https")
        #expect(server.state.requests.first?.authority == "127.0.0.1:\(server.port)")
        // Both handshakes completed on the server's side: NIOSSL checks the name after BoringSSL's handshake.
        #expect(server.state.handshakes.count == 2)
        #expect(sent() == 1)
        #expect(registry.value("otlp_gateway_exporter_retries_total", labels: ["exporter": "otlp/tls"]) == 1)
        let retrying = log.messages.filter { $0.hasPrefix("export failed; retrying") }
        #expect(retrying.count == 1)
        #expect(
            retrying.first?.contains(
                "error=TLS handshake with 127.0.0.1:\(server.port) failed: the server's certificate is not valid for 127.0.0.1"
            )
                == true, "\(retrying)")
    }
}
