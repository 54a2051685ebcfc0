import Logging
import Metrics
import Synchronization
import Testing
import Tracing

@testable import InferenceEngine

/// Small shapes that keep debug-build tests fast.
enum Fixtures {
    static func model(
        layers: Int = 1,
        hidden: Int = 16,
        heads: Int = 2,
        kvHeads: Int = 2,
        vocabulary: Int = 32,
        maxSequenceLength: Int = 256,
        positions: ModelConfiguration.PositionEncoding = .rotary(base: 10_000),
        seed: UInt64 = 7
    ) -> ModelConfiguration {
        ModelConfiguration(
            numLayers: layers,
            hiddenSize: hidden,
            numHeads: heads,
            numKVHeads: kvHeads,
            intermediateSize: 2 * hidden,
            vocabularySize: vocabulary,
            maxSequenceLength: maxSequenceLength,
            positionEncoding: positions,
            seed: seed
        )
    }

    static func configuration(
        model: ModelConfiguration = Fixtures.model(),
        blockSize: Int = 4,
        numBlocks: Int = 64,
        maxBatchTokens: Int = 16,
        scheduler: SchedulerPolicy = .fifo,
        maxWaitingRequests: Int = 0,
        spanSampleRatio: Double = 0
    ) -> EngineConfiguration {
        EngineConfiguration(
            enabled: true,
            modelName: "test-model",
            model: model,
            blockSize: blockSize,
            numBlocks: numBlocks,
            maxBatchTokens: maxBatchTokens,
            scheduler: scheduler,
            maxWaitingRequests: maxWaitingRequests,
            spanSampleRatio: spanSampleRatio,
            workload: WorkloadConfiguration(requestsPerSecond: 0)
        )
    }

    static let logger: Logger = {
        var logger = Logger(label: "inference-engine-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func core(
        _ configuration: EngineConfiguration,
        metrics: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) -> EngineCore {
        EngineCore(
            configuration: configuration,
            metrics: EngineMetrics(factory: metrics ?? NOOPMetricsHandler.instance, modelName: configuration.modelName),
            tracer: tracer ?? NoOpTracer(),
            logger: logger
        )
    }

    /// A deterministic prompt of `length` tokens in `1..<vocabulary`.
    static func prompt(length: Int, vocabulary: Int = 32, seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed)
        return (0..<length).map { _ in 1 + Int(random.next() % UInt64(vocabulary - 1)) }
    }
}

/// Collects the results the core delivers, counting how often each request ended.
final class ResultLog: Sendable {
    private let state = Mutex<[RequestID: [GenerationResult]]>([:])

    var sink: RequestSink {
        RequestSink(tokens: nil) { [self] result in
            state.withLock { $0[result.requestID, default: []].append(result) }
        }
    }

    func results(for id: RequestID) -> [GenerationResult] {
        state.withLock { $0[id] ?? [] }
    }

    var all: [RequestID: [GenerationResult]] { state.withLock { $0 } }
}

extension EngineCore {
    /// Registers a request as if `Engine.submit` had just received it.
    func submit(_ request: GenerationRequest, sink: RequestSink) {
        admit(
            Submission(
                request: request,
                sink: sink,
                arrival: .now,
                tracerArrival: DefaultTracerClock.now,
                context: .topLevel
            )
        )
    }

    /// Steps until idle, checking the invariants after every step; the reports of all steps.
    @discardableResult
    func runToCompletion(maxSteps: Int = 100_000, check: Bool = true) -> [StepReport] {
        var reports: [StepReport] = []
        while hasWork {
            let report = step()
            if check { assertInvariants(report: report) }
            reports.append(report)
            if reports.count >= maxSteps {
                Issue.record("no progress after \(maxSteps) steps")
                break
            }
        }
        return reports
    }

    /// Blocks are either free or owned by exactly one running request, nothing leaks, tables cover what is
    /// computed, and the step kept to its token budget.
    func assertInvariants(report: StepReport? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        var seen = Set<Int32>()
        var duplicates = 0
        for block in cache.freeBlocks where !seen.insert(block).inserted { duplicates += 1 }
        for (id, table) in cache.blockTables {
            guard let request = live[id] else {
                Issue.record("request \(id) holds blocks but is not live", sourceLocation: sourceLocation)
                continue
            }
            if !request.isRunning {
                Issue.record("request \(id) holds blocks while \(request.status)", sourceLocation: sourceLocation)
            }
            if table.count * cache.blockSize < request.computedCount {
                Issue.record(
                    "request \(id) computed \(request.computedCount) tokens into \(table.count) blocks",
                    sourceLocation: sourceLocation
                )
            }
            for block in table where !seen.insert(block).inserted { duplicates += 1 }
        }
        #expect(duplicates == 0, "a block is shared or listed twice", sourceLocation: sourceLocation)
        #expect(seen.count == cache.numBlocks, "blocks leaked", sourceLocation: sourceLocation)
        #expect(seen.allSatisfy { $0 >= 0 && Int($0) < cache.numBlocks }, sourceLocation: sourceLocation)
        for request in live.values where request.isRunning {
            #expect(
                cache.blockTables[request.id] != nil,
                "running request \(request.id) has no blocks",
                sourceLocation: sourceLocation
            )
        }
        #expect(scheduler.running.count + scheduler.waiting.count == live.count, sourceLocation: sourceLocation)
        if let report {
            #expect(
                report.totalTokens <= configuration.maxBatchTokens,
                "step over budget",
                sourceLocation: sourceLocation
            )
            #expect(report.totalTokens == report.chunks.reduce(0) { $0 + $1.count }, sourceLocation: sourceLocation)
        }
    }
}
