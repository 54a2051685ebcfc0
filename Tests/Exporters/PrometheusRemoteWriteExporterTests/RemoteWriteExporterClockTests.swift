import Compression
import GatewayCore
import HTTP1Transport
import Logging
import MetricStore
import NIOCore
import NIOHTTP1
import NIOPosix
import PrometheusRemoteWriteExporter
import SelfTelemetry
import Synchronization
import TestSupport
import Testing

/// The remote-write exporter's timing on a manual clock, against a real HTTP server on loopback that answers
/// a script of statuses: retry with backoff, the retry budget, a 4xx dropped at once, and the final collection
/// on drain.
@Suite(.timeLimit(.minutes(1))) struct RemoteWriteExporterClockTests {
    /// Answers each POST with the next status of its script (the last one repeats).
    final class ScriptedEndpoint: Sendable {
        let server: SimpleHTTPServer

        init(_ statuses: [HTTPResponseStatus]) async throws {
            let count = Mutex(0)
            let statuses = statuses
            server = try await SimpleHTTPServer.start(
                host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton
            ) { _, _, _ in
                let n = count.withLock { c -> Int in
                    defer { c += 1 }
                    return c
                }
                return .init(status: statuses[min(n, statuses.count - 1)], contentType: "text/plain", body: [])
            }
        }

        var port: Int { server.localAddress?.port ?? 0 }
    }

    static func counterMetrics(_ value: Int64) -> Metrics {
        let point = NumberDataPoint(startTimeUnixNano: 1, timeUnixNano: 2_000_000_000, value: .int(value))
        let metric = Metric(
            name: "jobs", data: .sum(Sum(dataPoints: [point], temporality: .cumulative, isMonotonic: true)))
        return Metrics(resourceMetrics: [ResourceMetrics(scopeMetrics: [ScopeMetrics(metrics: [metric])])])
    }

    struct Harness {
        let clock = ManualClock()
        let registry = TelemetryRegistry()
        let store: MetricStore
        let exporter: PrometheusRemoteWriteExporter

        init(port: Int, retry: RetryPolicy) {
            store = MetricStore(settings: MetricStore.Settings(), registry: registry)
            exporter = PrometheusRemoteWriteExporter(
                name: "prw",
                settings: .init(
                    host: "127.0.0.1", port: port, path: "/api/v1/write", timeout: .seconds(5), interval: .seconds(60),
                    numConsumers: 1, retry: retry),
                store: store, registry: registry, logger: Logger(label: "test"), clock: clock)
        }

        func counter(_ name: String, outcome: String? = nil) -> Double {
            var labels = ["exporter": "prw"]
            if let outcome { labels["outcome"] = outcome }
            return registry.value(name, labels: labels) ?? 0
        }
    }

    /// Waits in real time for `condition` (the HTTP round trip happens on real sockets).
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func retriesWithBackoffOnTheClockUntilAccepted() async throws {
        let endpoint = try await ScriptedEndpoint([.serviceUnavailable, .serviceUnavailable, .noContent])
        let h = Harness(port: endpoint.port, retry: RetryPolicy(initialInterval: .seconds(1), maxInterval: .seconds(4)))
        h.store.ingest(Self.counterMetrics(5))
        let run = Task { await h.exporter.run() }
        #expect(await h.clock.waitForSleepers(1))  // the collection timer
        h.clock.advance(by: .seconds(60))
        // First attempt refused; the sender now sleeps its backoff on the clock, not in real time.
        #expect(await Self.eventually { h.counter("otlp_gateway_remote_write_requests_total", outcome: "retry") == 1 })
        #expect(await h.clock.waitForSleepers(2))
        #expect(h.counter("otlp_gateway_remote_write_samples_sent_total") == 0)
        h.clock.advance(by: .seconds(1.5))  // at most initial_interval * 1.5 (jitter)
        #expect(await Self.eventually { h.counter("otlp_gateway_remote_write_requests_total", outcome: "retry") == 2 })
        #expect(await h.clock.waitForSleepers(2))
        h.clock.advance(by: .seconds(3))
        #expect(await Self.eventually { h.counter("otlp_gateway_remote_write_samples_sent_total") == 1 })
        #expect(h.counter("otlp_gateway_remote_write_samples_retried_total") == 2)
        h.exporter.drain()
        await run.value
        await endpoint.server.close()
    }

    @Test func aClientErrorIsDroppedWithoutRetry() async throws {
        let endpoint = try await ScriptedEndpoint([.badRequest])
        let h = Harness(port: endpoint.port, retry: RetryPolicy(initialInterval: .seconds(1)))
        h.store.ingest(Self.counterMetrics(5))
        let run = Task { await h.exporter.run() }
        #expect(await h.clock.waitForSleepers(1))
        h.clock.advance(by: .seconds(60))
        #expect(await Self.eventually { h.counter("otlp_gateway_remote_write_samples_failed_total") == 1 })
        #expect(h.counter("otlp_gateway_remote_write_requests_total", outcome: "retry") == 0)
        h.exporter.drain()
        await run.value
        await endpoint.server.close()
    }

    @Test func theRetryBudgetIsMeasuredOnTheClock() async throws {
        let endpoint = try await ScriptedEndpoint([.serviceUnavailable])
        let h = Harness(
            port: endpoint.port,
            retry: RetryPolicy(initialInterval: .seconds(2), maxInterval: .seconds(2), maxElapsed: .seconds(10)))
        h.store.ingest(Self.counterMetrics(5))
        let run = Task { await h.exporter.run() }
        #expect(await h.clock.waitForSleepers(1))
        h.clock.advance(by: .seconds(60))
        // Each backoff is at most 3 s (2 s with jitter up to x1.5); after 10 s on the clock the sender gives up.
        for _ in 0..<8 where h.counter("otlp_gateway_remote_write_samples_failed_total") == 0 {
            _ = await h.clock.waitForSleepers(2, timeout: .seconds(2))
            h.clock.advance(by: .seconds(3))
            _ = await Self.eventually {
                h.clock.sleeping >= 2 || h.counter("otlp_gateway_remote_write_samples_failed_total") == 1
            }
        }
        #expect(h.counter("otlp_gateway_remote_write_samples_failed_total") == 1)
        #expect(h.counter("otlp_gateway_remote_write_samples_sent_total") == 0)
        h.exporter.drain()
        await run.value
        await endpoint.server.close()
    }

    @Test func drainCollectsOnceMoreAndSends() async throws {
        let endpoint = try await ScriptedEndpoint([.noContent])
        let h = Harness(port: endpoint.port, retry: RetryPolicy())
        let run = Task { await h.exporter.run() }
        #expect(await h.clock.waitForSleepers(1))
        // Ingested after the last tick, with the 60 s interval far away: only the final collection sends it.
        h.store.ingest(Self.counterMetrics(7))
        h.exporter.drain()
        await run.value
        #expect(h.counter("otlp_gateway_remote_write_samples_sent_total") == 1)
        await endpoint.server.close()
    }
}
