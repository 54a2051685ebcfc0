import Testing

@testable import InferenceEngine

@Suite(.timeLimit(.minutes(1))) struct EngineTests {
    static func engine(_ configuration: EngineConfiguration = Fixtures.configuration()) -> Engine {
        Engine(configuration: configuration, logger: Fixtures.logger)
    }

    /// Polls `condition` until it holds or two seconds pass (only for effects the engine applies asynchronously).
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func generateRunsStepsItselfAndKeepsTheOrder() async {
        let engine = Self.engine()
        let requests = EngineCoreTests.requests(count: 5, seed: 2, sampled: false)
        let results = await engine.generate(batch: requests)
        #expect(results.map(\.requestID) == requests.map(\.id))
        for (request, result) in zip(requests, results) {
            #expect(result.finishReason == .length)
            #expect(result.generatedTokens.count == request.maxNewTokens)
            #expect(result.promptTokens == request.promptTokens)
            #expect(result.timeToFirstToken != nil)
            #expect(result.latency >= result.timeToFirstToken!)
        }
        let statistics = engine.statistics
        #expect(statistics.freeBlocks == statistics.totalBlocks)
        #expect(statistics.generatedTokens == requests.reduce(0) { $0 + $1.maxNewTokens })
        #expect(await engine.generate(batch: []).isEmpty)
    }

    @Test func concurrentGenerateCallsAreAllServedWithoutALoop() async {
        let engine = Self.engine()
        let batches = (0..<4).map { batch in
            (0..<3).map { GenerationRequest(promptTokens: [1 + batch, 2 + $0], maxNewTokens: 3 + 5 * batch) }
        }
        let results = await withTaskGroup(of: [GenerationResult].self) { group in
            for batch in batches { group.addTask { await engine.generate(batch: batch) } }
            var all: [GenerationResult] = []
            for await results in group { all += results }
            return all
        }
        #expect(results.count == 12)
        #expect(results.allSatisfy { $0.finishReason == .length })
        #expect(engine.statistics.finishedRequests == 12)
    }

    @Test func streamDeliversTheSameTokensAsGenerate() async throws {
        let request = GenerationRequest(promptTokens: Fixtures.prompt(length: 7, seed: 4), maxNewTokens: 9)
        let expected = await Self.engine().generate(batch: [request])[0].generatedTokens

        let engine = Self.engine()
        let loop = Task { await engine.run() }
        var tokens: [Int] = []
        for try await token in engine.submit(request) { tokens.append(token) }
        #expect(tokens == expected)
        engine.shutdown(.finishInFlight)
        await loop.value
    }

    @Test func cancelMidDecodeEndsTheStreamAndFreesTheBlocks() async throws {
        let engine = Self.engine()
        let loop = Task { await engine.run() }
        let request = GenerationRequest(promptTokens: Fixtures.prompt(length: 5, seed: 1), maxNewTokens: 200)
        var received = 0
        do {
            for try await _ in engine.submit(request) {
                received += 1
                if received == 3 {
                    #expect(engine.status(of: request.id) == .decoding)
                    engine.cancel(request.id)
                }
            }
            Issue.record("the stream should throw after cancellation")
        } catch let error as EngineError {
            #expect(error.code == .cancelled)
        }
        #expect(received >= 3 && received < 200)
        #expect(engine.status(of: request.id) == nil)
        // The stream ends after the core freed the blocks.
        let ownership = engine.blockOwnership
        #expect(ownership.tables.isEmpty)
        #expect(ownership.free.count == engine.configuration.numBlocks)
        engine.shutdown(.finishInFlight)
        await loop.value
    }

    @Test func abandoningTheStreamCancelsTheRequest() async throws {
        let engine = Self.engine()
        let loop = Task { await engine.run() }
        func readTwo() async throws {
            let stream = engine.submit(GenerationRequest(promptTokens: [1, 2, 3], maxNewTokens: 200))
            var iterator = stream.makeAsyncIterator()
            _ = try await iterator.next()
            _ = try await iterator.next()
        }
        try await readTwo()
        #expect(
            await Self.eventually { engine.statistics.finishedRequests == 1 && engine.statistics.runningRequests == 0 }
        )
        #expect(engine.statistics.generatedTokens < 200)
        engine.shutdown(.finishInFlight)
        await loop.value
    }

    @Test func shutdownFinishesInFlightWorkAndRefusesNewRequests() async throws {
        let engine = Self.engine()
        let streams = (0..<4).map { index in
            engine.submit(
                GenerationRequest(promptTokens: Fixtures.prompt(length: 4, seed: UInt64(index)), maxNewTokens: 6)
            )
        }
        engine.shutdown(.finishInFlight)
        #expect(!engine.isAccepting)
        await engine.run()
        for stream in streams {
            var count = 0
            for try await _ in stream { count += 1 }
            #expect(count == 6)
        }
        await #expect(throws: EngineError(code: .shuttingDown, message: "the inference engine is shutting down")) {
            for try await _ in engine.submit(GenerationRequest(promptTokens: [1], maxNewTokens: 1)) {}
        }
        let late = await engine.generate(batch: [GenerationRequest(promptTokens: [1], maxNewTokens: 1)])
        #expect(late.first?.error?.code == .shuttingDown)
    }

    @Test func cancellingShutdownCancelsInFlightWork() async throws {
        let engine = Self.engine()
        let loop = Task { await engine.run() }
        var iterators = (0..<3).map { index in
            engine.submit(GenerationRequest(promptTokens: [1, 2 + index], maxNewTokens: 200)).makeAsyncIterator()
        }
        for index in iterators.indices { _ = try await iterators[index].next() }
        engine.shutdown(.cancelInFlight)
        await loop.value
        for index in iterators.indices {
            var codes: [EngineError.Code] = []
            do {
                while try await iterators[index].next() != nil {}
            } catch let error as EngineError {
                codes.append(error.code)
            }
            #expect(codes == [.cancelled])
        }
        #expect(engine.statistics.freeBlocks == engine.statistics.totalBlocks)
        #expect(engine.statistics.generatedTokens < 600)
    }

    @Test func cancellingTheRunTaskCancelsLiveRequestsAndReturns() async throws {
        let engine = Self.engine()
        let loop = Task { await engine.run() }
        let stream = engine.submit(GenerationRequest(promptTokens: [1, 2, 3], maxNewTokens: 200))
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        loop.cancel()
        await loop.value
        await #expect(throws: EngineError.self) {
            while try await iterator.next() != nil {}
        }
        #expect(engine.statistics.runningRequests == 0)
        #expect(engine.statistics.freeBlocks == engine.statistics.totalBlocks)
    }

    @Test func idleLoopSleepsUntilWorkArrives() async throws {
        let engine = Self.engine()
        let loop = Task { await engine.run() }
        try await Task.sleep(for: .milliseconds(50))
        let stepsWhileIdle = engine.statistics.steps
        try await Task.sleep(for: .milliseconds(50))
        #expect(engine.statistics.steps == stepsWhileIdle, "no steps without work")
        var tokens = 0
        for try await _ in engine.submit(GenerationRequest(promptTokens: [5], maxNewTokens: 3)) { tokens += 1 }
        #expect(tokens == 3)
        #expect(engine.statistics.steps == stepsWhileIdle + 3)
        engine.shutdown(.finishInFlight)
        await loop.value
    }
}
