import BatchProcessor
import GatewayCore
import Logging
import SelfTelemetry
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

final class RecordingConsumer: Consumer, Sendable {
    let batches = Mutex<[Int]>([])
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        batches.withLock { $0.append(data.spanCount) }
        return .accepted
    }
    var sizes: [Int] { batches.withLock { $0 } }
}

func spans(_ n: Int) -> Traces {
    Traces(resourceSpans: [
        ResourceSpans(scopeSpans: [
            ScopeSpans(
                spans: (0..<n).map {
                    Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: UInt64($0 + 1)), name: "s")
                })
        ])
    ])
}

@Suite struct BatchProcessorTests {
    let registry = TelemetryRegistry()
    let logger = Logger(label: "test")

    @Test func sendsWhenSizeIsReachedAndSplitsAtMaxSize() throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(
            name: "batch", settings: .init(sendBatchSize: 10, sendBatchMaxSize: 12, timeout: .seconds(60)), next: sink,
            registry: registry, logger: logger)
        try batch.consume(spans(6))
        #expect(sink.sizes.isEmpty)
        try batch.consume(spans(20))
        #expect(sink.sizes == [12, 12, 2])
        #expect(
            registry.value("otelcol_processor_batch_batch_size_trigger_send_total", labels: ["processor": "batch"]) == 3
        )
        #expect(
            registry.value(
                "otelcol_processor_outgoing_items_total", labels: ["processor": "batch", "otel_signal": "traces"]) == 26
        )
    }

    @Test func flushSendsWhatIsPending() throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(60)), next: sink, registry: registry,
            logger: logger)
        try batch.consume(spans(3))
        try batch.consume(spans(4))
        batch.flush(trigger: .timeout)
        #expect(sink.sizes == [7])
        batch.flush(trigger: .timeout)
        #expect(sink.sizes == [7])
    }

    @Test func refusesWithARetryableErrorWhenFull() throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 1000, timeout: .seconds(60), maxPendingItems: 10), next: sink,
            registry: registry, logger: logger)
        try batch.consume(spans(8))
        let error = #expect(throws: PipelineError.self) { try batch.consume(spans(3)) }
        #expect(error?.isRetryable == true)
        #expect(error?.retryAfterSeconds == 1)
        try batch.consume(spans(2))
        batch.flush(trigger: .shutdown)
        #expect(sink.sizes == [10])
    }

    @Test func refusesWhenTheBufferedBytesReachTheBound() throws {
        // Each span of spans(n) is charged Footprint.spanOverhead + its 1-byte name, plus 128 for resource and scope.
        let perRequest = spans(10).estimatedBytes
        #expect(perRequest == 128 + 10 * (Footprint.spanOverhead + 1))
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(
            name: "b",
            settings: .init(
                sendBatchSize: 1000, timeout: .seconds(60), maxPendingItems: 1000, maxPendingBytes: 2 * perRequest),
            next: sink, registry: registry, logger: logger)
        try batch.consume(spans(10))
        try batch.consume(spans(10))
        #expect(
            registry.value(
                "otlp_gateway_processor_batch_pending_bytes", labels: ["processor": "b", "otel_signal": "traces"])
                == Double(2 * perRequest))
        let error = #expect(throws: PipelineError.self) { try batch.consume(spans(1)) }
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("max_pending_bytes") == true)
        batch.flush(trigger: .timeout)
        #expect(sink.sizes == [20])
        #expect(
            registry.value(
                "otlp_gateway_processor_batch_pending_bytes", labels: ["processor": "b", "otel_signal": "traces"]) == 0)
        // An empty buffer takes one request of any size, so a large one is not refused for ever.
        try batch.consume(spans(30))
        batch.flush(trigger: .shutdown)
        #expect(sink.sizes == [20, 30])
    }

    @Test func theTimeoutSendsOnTheClock() async throws {
        let sink = RecordingConsumer()
        let clock = ManualClock()
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(30)), next: sink, registry: registry,
            logger: logger)
        let task = Task { await batch.run(clock: clock) }
        try batch.consume(spans(3))
        #expect(await clock.waitForSleepers())
        clock.advance(by: .seconds(29))
        try await Task.sleep(for: .milliseconds(20))
        #expect(sink.sizes == [], "not before the timeout")
        clock.advance(by: .seconds(1))
        #expect(await clock.waitForSleepers())
        #expect(sink.sizes == [3])
        #expect(registry.value("otelcol_processor_batch_timeout_trigger_send_total", labels: ["processor": "b"]) == 1)
        task.cancel()
        await task.value
        #expect(sink.sizes == [3], "nothing left for the final flush")
    }

    @Test func theJournalKeepsAcceptedDataAcrossACrash() throws {
        let directory = "/tmp/batch-journal-test-\(UInt64.random(in: 0..<UInt64.max))"
        defer { _ = try? FileManagerless.remove(directory) }
        let codec = BatchProcessor<Traces>.Codec(
            encode: { Array(String($0.spanCount).utf8) },
            decode: { Int(String(decoding: $0, as: UTF8.self)).map(spans) })
        do {
            // The first process accepts 4 + 2 spans, then "crashes": nothing flushed.
            let sink = RecordingConsumer()
            let journal = try BatchJournal(directory: directory, fsync: false)
            let batch = BatchProcessor<Traces>(
                name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(30)), next: sink, registry: registry,
                logger: logger, journal: (journal, codec))
            try batch.consume(spans(4))
            try batch.consume(spans(2))
            #expect(sink.sizes == [])
        }
        let sink = RecordingConsumer()
        let journal = try BatchJournal(directory: directory, fsync: false)
        #expect(journal.recovered.count == 2)
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(30)), next: sink, registry: registry,
            logger: logger, journal: (journal, codec))
        batch.flush(trigger: .shutdown)
        #expect(sink.sizes == [6])
        // Handed on: a third start finds nothing.
        #expect(try BatchJournal(directory: directory, fsync: false).recovered.isEmpty)
    }

    /// Accepts until told to refuse, then refuses everything as retryable (a full sending queue).
    final class FullQueue: Consumer, Sendable {
        let refusing = Atomic<Bool>(false)
        let received = Atomic<Int>(0)
        func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
            if refusing.load(ordering: .relaxed) { throw PipelineError.retryable("queue full", retryAfterSeconds: 1) }
            received.add(data.spanCount, ordering: .relaxed)
            return .accepted
        }
    }

    @Test func aFullNextStageHoldsDataAndRefusesClientsInsteadOfDropping() throws {
        let sink = FullQueue()
        sink.refusing.store(true, ordering: .relaxed)
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 10, timeout: .seconds(1), maxPendingItems: 30), next: sink,
            registry: registry, logger: logger)
        try batch.consume(spans(10))  // size trigger: refused downstream, kept in the buffer
        try batch.consume(spans(10))
        try batch.consume(spans(10))
        #expect(throws: PipelineError.self) { try batch.consume(spans(10)) }
        #expect(
            registry.value(
                "otelcol_processor_dropped_items_total", labels: ["processor": "b", "otel_signal": "traces"]) == 0)
        sink.refusing.store(false, ordering: .relaxed)
        batch.flush(trigger: .timeout)
        #expect(
            sink.received.load(ordering: .relaxed) == 30, "everything accepted is handed on once the queue has room")
        try batch.consume(spans(10))
        #expect(sink.received.load(ordering: .relaxed) == 40)
    }

    @Test func cancellingTheTimerLoopFlushes() async throws {
        let sink = RecordingConsumer()
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 100, timeout: .seconds(3600)), next: sink, registry: registry,
            logger: logger)
        try batch.consume(spans(5))
        let task = Task { await batch.run(clock: ContinuousClock()) }
        task.cancel()
        await task.value
        #expect(sink.sizes == [5])
    }
}

/// Removes a test directory with its files (no Foundation in this target).
enum FileManagerless {
    static func remove(_ directory: String) throws {
        let dir = opendir(directory)
        if let dir {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(directory + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(directory)
    }
}

/// A next stage that is full, and that clients keep pushing to while a batch is being handed to it.
final class FullStageWithClients: Consumer, Sendable {
    let processor = Mutex<BatchProcessor<Traces>?>(nil)
    let accepted = Mutex(0)

    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        // Clients arrive while the batch is out of the buffer; each is either taken or refused as retryable.
        if let processor = processor.withLock({ $0 }) {
            for _ in 0..<10 where (try? processor.consume(spans(10))) != nil {
                accepted.withLock { $0 += 10 }
            }
        }
        throw PipelineError.retryable("sending queue is full")
    }
}

@Suite struct BatchProcessorBoundTests {
    @Test func aRefusedBatchAndWhatArrivedMeanwhileStayWithinMaxPendingItems() throws {
        let registry = TelemetryRegistry()
        let stage = FullStageWithClients()
        let batch = BatchProcessor<Traces>(
            name: "b", settings: .init(sendBatchSize: 20, timeout: .seconds(60), maxPendingItems: 50), next: stage,
            registry: registry, logger: Logger(label: "t"))
        stage.processor.withLock { $0 = batch }
        var accepted = 0
        for _ in 0..<20 {
            if (try? batch.consume(spans(10))) != nil { accepted += 10 }
            batch.flush(trigger: .timeout)
            let pending = registry.value(
                "otelcol_processor_batch_pending_items", labels: ["processor": "b", "otel_signal": "traces"])
            #expect(pending ?? 0 <= 50)
        }
        // Everything taken is still held (nothing sent, nothing dropped), and never more than the bound.
        let total = accepted + stage.accepted.withLock { $0 }
        #expect(total <= 50)
        #expect(total >= 20)
        stage.processor.withLock { $0 = nil }
    }
}
