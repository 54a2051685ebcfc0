import Testing

@testable import InferenceEngine

@Suite(.timeLimit(.minutes(1))) struct EngineServiceTests {
    @Test func runsTheWorkloadUntilCancelledAndLeavesNothingBehind() async throws {
        var configuration = Fixtures.configuration(numBlocks: 64)
        configuration.workload = WorkloadConfiguration(
            requestsPerSecond: 400,
            promptLengthMedian: 8,
            outputLengthMedian: 4,
            seed: 1
        )
        let engine = Engine(configuration: configuration, logger: Fixtures.logger)
        let service = EngineService(engine: engine, logger: Fixtures.logger)
        let task = Task { try await service.run() }
        #expect(await EngineTests.eventually { engine.statistics.finishedRequests >= 5 })
        task.cancel()
        try await task.value
        let statistics = engine.statistics
        #expect(statistics.runningRequests == 0 && statistics.waitingRequests == 0)
        #expect(statistics.freeBlocks == statistics.totalBlocks)
        #expect(statistics.generatedTokens > 0)
    }

    @Test func drainsAcceptedWorkOnShutdown() async throws {
        var configuration = Fixtures.configuration()
        configuration.workload.requestsPerSecond = 0
        let engine = Engine(configuration: configuration, logger: Fixtures.logger)
        let task = Task { try await EngineService(engine: engine, logger: Fixtures.logger).run() }
        let stream = engine.submit(GenerationRequest(promptTokens: [1, 2, 3], maxNewTokens: 20))
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        // What the service's graceful-shutdown handler does.
        engine.shutdown(configuration.shutdownBehavior)
        var count = 1
        while try await iterator.next() != nil { count += 1 }
        #expect(count == 20)
        try await task.value
    }

    @Test func disabledServiceDoesNothingUntilCancelled() async throws {
        var configuration = Fixtures.configuration()
        configuration.enabled = false
        configuration.workload.requestsPerSecond = 100
        let engine = Engine(configuration: configuration, logger: Fixtures.logger)
        let task = Task { try await EngineService(engine: engine, logger: Fixtures.logger).run() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(engine.statistics.steps == 0)
        task.cancel()
        try await task.value
    }
}
