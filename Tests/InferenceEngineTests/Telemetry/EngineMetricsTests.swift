import Metrics
import MetricsTestKit
import Testing

@testable import InferenceEngine

@Suite(.timeLimit(.minutes(1))) struct EngineMetricsTests {
    typealias Names = EngineMetricNames
    static let model = [("model_name", "test-model")]

    static func values(_ metrics: TestMetrics, _ label: String) -> [Double] {
        (try? metrics.expectRecorder(label, model).values) ?? []
    }

    static func last(_ metrics: TestMetrics, _ label: String) -> Double? {
        try? metrics.expectGauge(label, model).lastValue
    }

    static func total(_ metrics: TestMetrics, _ label: String) -> Int64 {
        metrics.counterTotal(label: label, dimensions: model)
    }

    @Test func tokenCountsAndPerRequestHistogramsWithoutPreemption() async throws {
        let metrics = TestMetrics()
        let engine = Engine(
            configuration: Fixtures.configuration(numBlocks: 128),
            logger: Fixtures.logger,
            metricsFactory: metrics
        )
        let requests = EngineCoreTests.requests(count: 6, seed: 5, sampled: true)
        let results = await engine.generate(batch: requests)
        let generated = results.reduce(0) { $0 + $1.generatedTokens.count }
        let prompts = requests.reduce(0) { $0 + $1.promptTokens.count }

        #expect(Self.values(metrics, Names.ttft).count == requests.count, "TTFT once per request")
        #expect(Self.values(metrics, Names.interTokenLatency).count == generated - requests.count)
        #expect(Self.total(metrics, Names.generationTokens) == Int64(generated))
        #expect(Self.total(metrics, Names.decodeTokensProcessed) == Int64(generated - requests.count))
        #expect(Self.total(metrics, Names.prefillTokensProcessed) == Int64(prompts))
        #expect(Self.total(metrics, Names.promptTokens) == Int64(prompts))
        #expect(Self.total(metrics, Names.preemptions) == 0)
        for label in [Names.requestLatency, Names.queueTime, Names.prefillTime, Names.decodeTime, Names.inferenceTime] {
            #expect(Self.values(metrics, label).count == requests.count, "\(label)")
        }
        #expect(
            Self.values(metrics, Names.requestPromptTokens).sorted()
                == requests.map { Double($0.promptTokens.count) }.sorted()
        )
        #expect(Self.values(metrics, Names.requestGenerationTokens).reduce(0, +) == Double(generated))
        #expect(
            metrics.counterTotal(label: Names.finishedRequests, dimensions: [("reason", "length")])
                == Int64(requests.count)
        )

        // Per step: fill and tokens agree with the work done.
        let steps = engine.statistics.steps
        let iteration = Self.values(metrics, Names.iterationTokens)
        #expect(iteration.count == steps)
        #expect(iteration.reduce(0, +) == Double(prompts + generated - requests.count))
        let fill = Self.values(metrics, Names.batchFillPercentage)
        #expect(fill == iteration.map { $0 / 16 * 100 })
        #expect(fill.allSatisfy { $0 > 0 && $0 <= 100 })

        // Latencies are consistent with one another.
        let ttft = Self.values(metrics, Names.ttft)
        let latency = Self.values(metrics, Names.requestLatency)
        #expect(ttft.allSatisfy { $0 >= 0 })
        #expect(latency.reduce(0, +) >= ttft.reduce(0, +))
    }

    @Test func ttftStaysOncePerRequestUnderPreemption() async {
        let metrics = TestMetrics()
        let engine = Engine(
            configuration: Fixtures.configuration(numBlocks: 12, maxBatchTokens: 24),
            logger: Fixtures.logger,
            metricsFactory: metrics
        )
        let requests = EngineCoreTests.requests(count: 12, seed: 42, sampled: false)
        let results = await engine.generate(batch: requests)
        let preemptions = Self.total(metrics, Names.preemptions)
        #expect(preemptions > 0)
        #expect(preemptions == Int64(results.reduce(0) { $0 + $1.preemptions }))
        #expect(Self.values(metrics, Names.ttft).count == requests.count)
        #expect(
            Self.values(metrics, Names.queueTime).count == requests.count,
            "queue time only for the first scheduling"
        )
        let generated = results.reduce(0) { $0 + $1.generatedTokens.count }
        #expect(Self.total(metrics, Names.generationTokens) == Int64(generated))
        // Recomputation is prefill work beyond the prompts.
        let prompts = requests.reduce(0) { $0 + $1.promptTokens.count }
        #expect(Self.total(metrics, Names.prefillTokensProcessed) > Int64(prompts))
        #expect(Self.total(metrics, Names.promptTokens) == Int64(prompts))
    }

    @Test func finishedRequestsAreCountedByReason() async throws {
        let metrics = TestMetrics()
        let engine = Engine(configuration: Fixtures.configuration(), logger: Fixtures.logger, metricsFactory: metrics)
        let prompt = Fixtures.prompt(length: 4, seed: 8)
        let probe = await engine.generate(batch: [GenerationRequest(promptTokens: prompt, maxNewTokens: 1)])[0]
        let stop = probe.generatedTokens[0]

        let loop = Task { await engine.run() }
        async let stopped = engine.generate(batch: [
            GenerationRequest(promptTokens: prompt, maxNewTokens: 5, stopToken: stop),
            GenerationRequest(promptTokens: prompt, maxNewTokens: 3),
            GenerationRequest(promptTokens: [], maxNewTokens: 3),
        ])
        let cancelled = GenerationRequest(promptTokens: prompt, maxNewTokens: 200)
        var iterator = engine.submit(cancelled).makeAsyncIterator()
        _ = try await iterator.next()
        engine.cancel(cancelled.id)
        await #expect(throws: EngineError.self) { while try await iterator.next() != nil {} }
        let reasons = await stopped.map(\.finishReason)
        #expect(reasons == [.stop, .length, .failed])
        engine.shutdown(.finishInFlight)
        await loop.value
        // Refused during shutdown: failed too.
        _ = await engine.generate(batch: [GenerationRequest(promptTokens: [1], maxNewTokens: 1)])

        func finished(_ reason: String) -> Int64 {
            metrics.counterTotal(label: Names.finishedRequests, dimensions: Self.model + [("reason", reason)])
        }
        #expect(finished("stop") == 1)
        #expect(finished("length") == 2)
        #expect(finished("cancelled") == 1)
        #expect(finished("failed") == 2)
        // Latency only for completed requests.
        #expect(Self.values(metrics, Names.requestLatency).count == 3)
    }

    @Test func gaugesAreUpdatedWhenIdle() async throws {
        let metrics = TestMetrics()
        let configuration = Fixtures.configuration()
        let engine = Engine(configuration: configuration, logger: Fixtures.logger, metricsFactory: metrics)
        // Gauges exist from the start.
        #expect(Self.last(metrics, Names.kvCacheFreeMemory) == Double(configuration.kvCacheBytes))
        let loop = Task { await engine.run() }
        var iterator = engine.submit(
            GenerationRequest(promptTokens: Fixtures.prompt(length: 9, seed: 1), maxNewTokens: 50)
        ).makeAsyncIterator()
        _ = try await iterator.next()
        _ = try await iterator.next()
        #expect(Self.last(metrics, Names.activeRequests) == 1)
        #expect((Self.last(metrics, Names.kvCacheMemory) ?? 0) > 0)
        #expect((Self.last(metrics, Names.kvCacheUsage) ?? 0) > 0)
        while try await iterator.next() != nil {}
        #expect(await EngineTests.eventually { Self.last(metrics, Names.activeRequests) == 0 })
        #expect(Self.last(metrics, Names.waitingRequests) == 0)
        #expect(Self.last(metrics, Names.kvCacheMemory) == 0)
        #expect(Self.last(metrics, Names.kvCacheUsage) == 0)
        #expect(Self.last(metrics, Names.kvCacheFreeMemory) == Double(configuration.kvCacheBytes))
        engine.shutdown(.finishInFlight)
        await loop.value
    }

    @Test func decodePrefillRatioIsSetOnlyForStepsWithPrefill() throws {
        let metrics = TestMetrics()
        let handles = EngineMetrics(factory: metrics, modelName: "test-model")
        handles.recordBatch(prefillTokens: 8, decodeTokens: 2, maxBatchTokens: 20)
        handles.recordBatch(prefillTokens: 0, decodeTokens: 3, maxBatchTokens: 20)
        #expect(try metrics.expectGauge(Names.decodePrefillRatio, Self.model).values == [0.25])
        #expect(try metrics.expectRecorder(Names.batchFillPercentage, Self.model).values == [50, 15])
        #expect(Self.total(metrics, Names.prefillTokensProcessed) == 8)
        #expect(Self.total(metrics, Names.decodeTokensProcessed) == 5)
    }

    @Test func everyHandleIsInTheTableWithModelNameAndTheRightKind() async {
        let metrics = TestMetrics()
        let engine = Engine(configuration: Fixtures.configuration(), logger: Fixtures.logger, metricsFactory: metrics)
        _ = await engine.generate(batch: EngineCoreTests.requests(count: 2, seed: 1, sampled: false))
        var seen = Set<String>()
        for counter in metrics.counters {
            seen.insert(counter.label)
            #expect(Names.descriptor(named: counter.label)?.kind == .counter, "\(counter.label)")
            #expect(counter.dimensions.contains { $0 == ("model_name", "test-model") })
        }
        for recorder in metrics.recorders {
            seen.insert(recorder.label)
            let kind = Names.descriptor(named: recorder.label)?.kind
            #expect(kind == (recorder.aggregate ? .histogram : .gauge), "\(recorder.label)")
            #expect(recorder.dimensions.contains { $0 == ("model_name", "test-model") })
        }
        #expect(metrics.timers.isEmpty && metrics.meters.isEmpty)
        #expect(seen == Set(Names.all.map(\.name)), "every metric in the table is made, and no other")
        for descriptor in Names.all {
            let keys = descriptor.dimensions
            let handles =
                metrics.counters.filter { $0.label == descriptor.name }.map(\.dimensions)
                + metrics.recorders.filter { $0.label == descriptor.name }.map(\.dimensions)
            for dimensions in handles { #expect(dimensions.map(\.0).sorted() == keys.sorted(), "\(descriptor.name)") }
        }
    }
}
