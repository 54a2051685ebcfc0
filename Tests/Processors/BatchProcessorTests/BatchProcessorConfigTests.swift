import BatchProcessor
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct BatchProcessorConfigTests {
    private func batch(_ body: String) throws -> BatchProcessorConfig {
        let config = try GatewayConfiguration.parse(yaml: document(processors: "batch:\n" + body), environment: [:])
        guard let batch = config.processors[ComponentID(type: "batch")] as? BatchProcessorConfig else {
            Issue.record("no batch processor")
            return BatchProcessorConfig()
        }
        return batch
    }

    @Test func defaults() throws {
        let batch = BatchProcessorConfig()
        #expect(batch.sendBatchSize == 8192)
        #expect(batch.sendBatchMaxSize == 0)
        #expect(batch.timeout == .milliseconds(200))
        #expect(batch.maxPendingItems == 20_000)
        #expect(batch.maxPendingBytes == 32 << 20)
        #expect(try self.batch("") == batch)
    }

    @Test func reads() throws {
        #expect(
            try batch("  send_batch_size: 0\n  send_batch_max_size: 0\n  timeout: 500us\n  max_pending_items: 1")
                == BatchProcessorConfig(
                    sendBatchSize: 0, sendBatchMaxSize: 0, timeout: .microseconds(500), maxPendingItems: 1))
        #expect(try batch("  send_batch_size: 10\n  send_batch_max_size: 10").sendBatchMaxSize == 10)
        #expect(try batch("  max_pending_bytes: 1048576").maxPendingBytes == 1 << 20)
    }

    @Test func reportsProblems() {
        #expect(
            problems(document(processors: "batch:\n  send_batch_max_size: 100")) == [
                "processors.batch.send_batch_max_size: must be 0 (unlimited) or at least send_batch_size (8192), got 100"
            ])
        #expect(
            problems(
                document(
                    processors:
                        "batch/x:\n  send_batch_size: -1\n  max_pending_items: 0\n  max_pending_bytes: 0\n  metadata_keys: [a]\n"
                        + "  metadata_cardinality_limit: 0\n  metadata_key: [b]")
            ) == [
                "processors.batch/x.send_batch_size: must be at least 0, got -1",
                "processors.batch/x.max_pending_items: must be at least 1, got 0",
                "processors.batch/x.max_pending_bytes: must be at least 1, got 0",
                "processors.batch/x.metadata_cardinality_limit: must be at least 1, got 0",
                "processors.batch/x.metadata_key: unknown key",
            ])
    }
}
