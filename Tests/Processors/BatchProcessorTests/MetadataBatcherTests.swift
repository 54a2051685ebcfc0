import ComponentKit
import GatewayCore
import Logging
import SelfTelemetry
import Synchronization
import Testing

@testable import BatchProcessor

final class MetadataRecorder: Consumer, Sendable {
    let batches = Mutex<[(tenant: [String], spans: Int)]>([])
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        batches.withLock { $0.append((data.metadata["x-scope-orgid"], data.spanCount)) }
        return .accepted
    }
}

func tenantSpans(_ n: Int, tenant: String?) -> Traces {
    var traces = spans(n)
    if let tenant {
        traces.metadata = ClientMetadata(headers: [("X-Scope-OrgID", tenant), ("Authorization", "secret")])
    }
    return traces
}

@Suite struct MetadataBatcherTests {
    func batcher(limit: Int = 10, next: MetadataRecorder) -> MetadataBatcher<Traces> {
        let registry = TelemetryRegistry()
        return MetadataBatcher<Traces>(
            keys: ["x-scope-orgid"], limit: limit, parts: DynamicParts(), stage: .processors
        ) { metadata in
            BatchProcessor<Traces>(
                name: "batch", settings: .init(sendBatchSize: 4, timeout: .seconds(60)),
                next: MetadataSetter(next: next, metadata: metadata), registry: registry, logger: Logger(label: "t"))
        }
    }

    @Test func tenantsAreBatchedApartAndKeepOnlyTheirKeys() throws {
        let sink = MetadataRecorder()
        let b = batcher(next: sink)
        for tenant in ["a", "b", "a", "b"] { _ = try b.consume(tenantSpans(2, tenant: tenant)) }
        let batches = sink.batches.withLock { $0 }
        #expect(batches.map(\.tenant).sorted { $0.first ?? "" < $1.first ?? "" } == [["a"], ["b"]])
        #expect(batches.allSatisfy { $0.spans == 4 })
    }

    @Test func moreCombinationsThanTheLimitAreRefused() throws {
        let b = batcher(limit: 2, next: MetadataRecorder())
        _ = try b.consume(tenantSpans(1, tenant: "a"))
        _ = try b.consume(tenantSpans(1, tenant: nil))
        #expect(throws: PipelineError.self) { try b.consume(tenantSpans(1, tenant: "c")) }
    }

    @Test func withoutMetadataKeysBatchesCarryNoClientMetadata() throws {
        let sink = MetadataRecorder()
        let plain = BatchProcessor<Traces>(
            name: "batch", settings: .init(sendBatchSize: 2, timeout: .seconds(60)), next: sink,
            registry: TelemetryRegistry(), logger: Logger(label: "t"))
        _ = try plain.consume(tenantSpans(1, tenant: "a"))
        _ = try plain.consume(tenantSpans(1, tenant: "b"))
        #expect(sink.batches.withLock { $0.map(\.tenant) } == [[]])
    }
}
