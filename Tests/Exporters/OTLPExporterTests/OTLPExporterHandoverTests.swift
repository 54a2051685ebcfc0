import Foundation
import GatewayCore
import Logging
import SelfTelemetry
import TestSupport
import Testing

@testable import OTLPExporter

/// `handOver(to:)`: what an exporter has not delivered goes to the receiver instead of its destination (a
/// load balancer's backend that left the ring), whether queued in memory, waiting out a backoff, or on disk.
@Suite(.timeLimit(.minutes(1))) struct OTLPExporterHandoverTests {
    /// `n` spans of `n` traces, from `tenant`.
    static func traces(_ n: Int, tenant: String) -> Traces {
        let spans = (0..<n).map {
            Span(
                traceID: TraceID(high: UInt64(n), low: UInt64($0 + 1)), spanID: SpanID(value: UInt64($0 + 1)),
                name: "s\($0)")
        }
        var traces = Traces(resourceSpans: [ResourceSpans(scopeSpans: [ScopeSpans(spans: spans)])])
        traces.metadata = ClientMetadata(headers: [("x-scope-orgid", tenant)])
        return traces
    }

    static func exporter(
        to port: RefusingPort, registry: TelemetryRegistry, consumers: Int = 1, queue: FileQueue? = nil,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) -> OTLPExporter<Traces> {
        OTLPExporter<Traces>(
            name: "otlp/gone",
            settings: .init(
                transport: .grpc(host: "127.0.0.1", port: port.port), queueLimits: .requests(16),
                numConsumers: consumers, retry: RetryPolicy(initialInterval: .seconds(1)), persistentQueue: queue),
            registry: registry, logger: Logger(label: "test"), sleep: sleep)
    }

    static func value(_ registry: TelemetryRegistry, _ name: String) -> Double {
        registry.value(name, labels: ["exporter": "otlp/gone"]) ?? 0
    }

    @Test func queuedAndRetryingRequestsGoToTheReceiverWithTheirMetadata() async throws {
        let port = try RefusingPort()
        let registry = TelemetryRegistry()
        // Backoffs of an hour: the hand-over must cut them short.
        let exporter = Self.exporter(to: port, registry: registry, consumers: 2) { _ in
            try await Task.sleep(for: .seconds(3600))
        }
        let run = Task { await exporter.run() }
        for n in 1...5 { _ = try exporter.consume(Self.traces(n, tenant: "tenant-\(n)")) }
        // Both senders failed once and wait out their backoff; three requests are queued.
        for _ in 0..<1000 where Self.value(registry, "otlp_gateway_exporter_retries_total") < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.value(registry, "otlp_gateway_exporter_retries_total") == 2)
        #expect(exporter.queued == 3)

        let receiver = RecordingConsumer<Traces>()
        exporter.handOver { (try? receiver.consume($0)) != nil }
        exporter.drain()
        await run.value

        let taken = receiver.received.sorted { $0.spanCount < $1.spanCount }
        #expect(taken.map(\.spanCount) == [1, 2, 3, 4, 5])
        for traces in taken {
            #expect(traces == Self.traces(traces.spanCount, tenant: ""))
            #expect(traces.metadata == ClientMetadata(headers: [("x-scope-orgid", "tenant-\(traces.spanCount)")]))
        }
        #expect(Self.value(registry, "otlp_gateway_exporter_handed_over_spans_total") == 15)
        #expect(Self.value(registry, "otelcol_exporter_sent_spans_total") == 0)
        #expect(Self.value(registry, "otelcol_exporter_send_failed_spans_total") == 0)
    }

    @Test func aRefusedRequestIsSentAsBeforeAndOfferedAgainBeforeEachRetry() async throws {
        let port = try RefusingPort()
        let registry = TelemetryRegistry()
        let exporter = Self.exporter(to: port, registry: registry) { _ in }
        let offered = RecordingConsumer<Traces>()
        let receiver = RecordingConsumer<Traces>()
        // The first offer is refused (the new owner's queue is full, say): that request is attempted at its old
        // address, fails, and is offered again before the retry.
        exporter.handOver { data in
            _ = try? offered.consume(data)
            return offered.received.count > 1 && (try? receiver.consume(data)) != nil
        }
        for n in 1...2 { _ = try exporter.consume(Self.traces(n, tenant: "t")) }
        exporter.drain()
        await exporter.run()
        #expect(receiver.received.map(\.spanCount) == [1, 2])
        #expect(offered.received.map(\.spanCount) == [1, 1, 2])
        #expect(Self.value(registry, "otlp_gateway_exporter_retries_total") == 1)
        #expect(Self.value(registry, "otlp_gateway_exporter_handed_over_spans_total") == 3)
    }

    /// An exporter with a persistent queue holding requests of 1, 2, 3 and 4 spans, not yet running.
    static func exporterWithFourRequestsOnDisk(to port: RefusingPort) throws -> (
        OTLPExporter<Traces>, TelemetryRegistry, String
    ) {
        let directory = FileQueueTests.directory()
        let queue = try FileQueue(directory: directory, limits: .requests(10), fsync: false, create: true)
        let registry = TelemetryRegistry()
        let exporter = Self.exporter(to: port, registry: registry, consumers: 2, queue: queue) { _ in
            try await Task.sleep(for: .seconds(3600))
        }
        for n in 1...4 { _ = try exporter.consume(Self.traces(n, tenant: "")) }
        return (exporter, registry, directory)
    }

    @Test func requestsOnDiskAreHandedOverAndLeaveTheDisk() async throws {
        let port = try RefusingPort()
        let (exporter, registry, directory) = try Self.exporterWithFourRequestsOnDisk(to: port)
        #expect(FileQueueTests.files(directory).count == 4)
        let receiver = RecordingConsumer<Traces>()
        exporter.handOver { (try? receiver.consume($0)) != nil }
        exporter.drain()
        await exporter.run()
        #expect(receiver.received.map(\.spanCount).sorted() == [1, 2, 3, 4])
        #expect(FileQueueTests.files(directory).isEmpty)
        #expect(Self.value(registry, "otlp_gateway_exporter_handed_over_spans_total") == 10)
    }

    @Test func requestsOnDiskTheReceiverRefusesStayThere() async throws {
        let port = try RefusingPort()
        let (exporter, registry, directory) = try Self.exporterWithFourRequestsOnDisk(to: port)
        exporter.handOver { _ in false }
        exporter.drain()
        await exporter.run()
        #expect(FileQueueTests.files(directory).count == 4)
        #expect(Self.value(registry, "otlp_gateway_exporter_handed_over_spans_total") == 0)
        #expect(Self.value(registry, "otelcol_exporter_send_failed_spans_total") == 0)
    }
}
