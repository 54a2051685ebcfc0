import BatchProcessor
import GatewayCore
import Logging
import SelfTelemetry
import Synchronization
import Testing

final class RecordingConsumer: Consumer, Sendable {
    let batches = Mutex<[Int]>([])
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        batches.withLock { $0.append(data.spanCount) }
        return .accepted
    }
    var sizes: [Int] { batches.withLock { $0 } }
}

func spans(_ n: Int) -> Traces {
    Traces(resourceSpans: [ResourceSpans(scopeSpans: [ScopeSpans(spans: (0..<n).map { Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: UInt64($0 + 1)), name: "s") })])])
}

@Suite struct BatchProcessorTests {
    let registry = TelemetryRegistry()
    let logger = Logger(label: "test")

    @Test func sendsWhenSizeIsReachedAndSplitsAtMaxSize() throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(name: "batch", settings: .init(sendBatchSize: 10, sendBatchMaxSize: 12, timeout: .seconds(60)), next: sink, registry: registry, logger: logger)
        try batch.consume(spans(6))
        #expect(sink.sizes.isEmpty)
        try batch.consume(spans(20))
        #expect(sink.sizes == [12, 12, 2])
        #expect(registry.value("otelcol_processor_batch_batch_size_trigger_send_total", labels: ["processor": "batch"]) == 3)
        #expect(registry.value("otelcol_processor_outgoing_items_total", labels: ["processor": "batch", "otel_signal": "traces"]) == 26)
    }

    @Test func flushSendsWhatIsPending() throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(60)), next: sink, registry: registry, logger: logger)
        try batch.consume(spans(3))
        try batch.consume(spans(4))
        batch.flush(trigger: .timeout)
        #expect(sink.sizes == [7])
        batch.flush(trigger: .timeout)
        #expect(sink.sizes == [7])
    }

    @Test func refusesWithARetryableErrorWhenFull() throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(name: "b", settings: .init(sendBatchSize: 1000, timeout: .seconds(60), maxPendingItems: 10), next: sink, registry: registry, logger: logger)
        try batch.consume(spans(8))
        let error = #expect(throws: PipelineError.self) { try batch.consume(spans(3)) }
        #expect(error?.isRetryable == true)
        #expect(error?.retryAfterSeconds == 1)
        try batch.consume(spans(2))
        batch.flush(trigger: .shutdown)
        #expect(sink.sizes == [10])
    }

    @Test func cancellingTheTimerLoopFlushes() async throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(3600)), next: sink, registry: registry, logger: logger)
        try batch.consume(spans(5))
        let task = Task { await batch.run(clock: ContinuousClock()) }
        task.cancel()
        await task.value
        #expect(sink.sizes == [5])
    }
}
