import ComponentKit
import GatewayCore
import Logging
import OTLPExporter
import SelfTelemetry
import TestSupport
import Testing

@testable import LoadBalancingExporter

/// A backend that leaves the ring while its destination is gone: what it holds reaches the keys' new owner, each
/// trace whole, instead of being retried against an address that will not answer again.
@Suite(.timeLimit(.minutes(1))) struct LoadBalancerHandoverTests {
    static func traces(count: Int) -> Traces {
        var spans: [Span] = []
        for i in 0..<count {
            for j in 0..<2 {
                let id = UInt64(i * 2 + j + 1)
                spans.append(
                    Span(traceID: TraceID(high: 7, low: UInt64(i + 1)), spanID: SpanID(value: id), name: "s\(j)"))
            }
        }
        return Traces(resourceSpans: [ResourceSpans(scopeSpans: [ScopeSpans(spans: spans)])])
    }

    static func spansByTrace(_ batches: [Traces]) -> [TraceID: Int] {
        var out: [TraceID: Int] = [:]
        for batch in batches {
            for r in batch.resourceSpans {
                for s in r.scopeSpans { for span in s.spans { out[span.traceID, default: 0] += 1 } }
            }
        }
        return out
    }

    /// A backend whose destination refuses every connection, waiting an hour between attempts, as a load
    /// balancer runs it.
    static func backend(_ endpoint: String, refusedAt port: RefusingPort, registry: TelemetryRegistry, consumers: Int)
        -> LoadBalancer<Traces>.Backend
    {
        let exporter = OTLPExporter<Traces>(
            name: "loadbalancing/\(endpoint)",
            settings: .init(
                transport: .grpc(host: "127.0.0.1", port: port.port), queueLimits: .requests(64),
                numConsumers: consumers, retry: RetryPolicy(initialInterval: .seconds(1))),
            registry: registry, logger: Logger(label: "test"), sleep: { _ in try await Task.sleep(for: .seconds(3600)) }
        )
        return .init(
            consumer: exporter,
            parts: [Part(stage: .exporters, name: endpoint, drain: { exporter.drain() }) { await exporter.run() }])
    }

    @Test func aLeavingBackendsQueueGoesToTheNewOwner() async throws {
        let port = try RefusingPort()
        let gone = "127.0.0.1:\(port.port)"
        let registry = TelemetryRegistry()
        let live = RecordingConsumer<Traces>()
        let balancer = LoadBalancer<Traces>(
            name: "loadbalancing", routingKey: .traceID, registry: registry, logger: Logger(label: "test")
        ) { endpoint in
            guard endpoint == gone else { return .init(consumer: live, parts: []) }
            return Self.backend(endpoint, refusedAt: port, registry: registry, consumers: 2)
        }
        balancer.update([gone, "live:4317"])
        let run = Task { await balancer.run(resolve: {}) }
        let sent = Self.traces(count: 200)
        for _ in 0..<3 {
            // Three requests, each split between the two backends.
            _ = try balancer.consume(sent)
        }
        let before = Self.spansByTrace(live.received)
        #expect(before.count > 0 && before.count < 200, "the gone backend's share waits in its queue")

        balancer.update(["live:4317"])
        for _ in 0..<1000 where Self.spansByTrace(live.received).values.reduce(0, +) < 1200 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let after = Self.spansByTrace(live.received)
        #expect(after.count == 200)
        #expect(after.values.allSatisfy { $0 == 6 }, "every trace whole: two spans, three times")
        let handed = registry.value(
            "otlp_gateway_exporter_handed_over_spans_total", labels: ["exporter": "loadbalancing/\(gone)"])
        #expect(handed == Double(1200 - before.values.reduce(0, +)))
        balancer.finish()
        await run.value
    }

    @Test func withNoBackendLeftTheLeavingOneKeepsItsData() async throws {
        let port = try RefusingPort()
        let gone = "127.0.0.1:\(port.port)"
        let registry = TelemetryRegistry()
        let balancer = LoadBalancer<Traces>(
            name: "loadbalancing", routingKey: .traceID, registry: registry, logger: Logger(label: "test"),
            drainTimeout: .milliseconds(200)
        ) { endpoint in
            Self.backend(endpoint, refusedAt: port, registry: registry, consumers: 1)
        }
        balancer.update([gone])
        let run = Task { await balancer.run(resolve: {}) }
        _ = try balancer.consume(Self.traces(count: 10))
        balancer.update([])
        // Nothing to hand it to: it drains to its old address and, past the drain timeout, counts what it lost.
        let labels = ["exporter": "loadbalancing/\(gone)"]
        for _ in 0..<500
        where registry.value("otlp_gateway_exporter_shutdown_dropped_spans_total", labels: labels) ?? 0 < 20 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(registry.value("otlp_gateway_exporter_shutdown_dropped_spans_total", labels: labels) == 20)
        #expect(registry.value("otlp_gateway_exporter_handed_over_spans_total", labels: labels) == 0)
        balancer.finish()
        await run.value
    }
}
