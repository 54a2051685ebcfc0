import Testing

@testable import InferenceEngine

@Suite struct EngineCoreTests {
    static func requests(count: Int, seed: UInt64, sampled: Bool) -> [GenerationRequest] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            GenerationRequest(
                id: RequestID("r\(index)"),
                promptTokens: Fixtures.prompt(length: 3 + Int(random.next() % 20), seed: random.next()),
                maxNewTokens: 4 + Int(random.next() % 12),
                sampling: sampled ? .temperature(0.8, seed: random.next()) : .greedy
            )
        }
    }

    static func outputs(
        _ requests: [GenerationRequest],
        configuration: EngineConfiguration
    ) -> (tokens: [RequestID: [Int]], preemptions: Int) {
        let core = Fixtures.core(configuration)
        let log = ResultLog()
        for request in requests { core.submit(request, sink: log.sink) }
        let reports = core.runToCompletion()
        #expect(core.cache.freeBlockCount == configuration.numBlocks)
        let results = log.all
        #expect(results.count == requests.count)
        return (
            results.mapValues { $0[0].generatedTokens },
            reports.reduce(0) { $0 + $1.preempted.count }
        )
    }

    /// A request that is preempted and later recomputes its prefill over prompt and generated tokens produces the
    /// same tokens as without preemption, greedy or sampled.
    @Test(arguments: [false, true])
    func preemptionDoesNotChangeTheOutput(sampled: Bool) {
        let requests = Self.requests(count: 12, seed: 42, sampled: sampled)
        let roomy = Self.outputs(requests, configuration: Fixtures.configuration(numBlocks: 128, maxBatchTokens: 24))
        let tight = Self.outputs(requests, configuration: Fixtures.configuration(numBlocks: 12, maxBatchTokens: 24))
        #expect(roomy.preemptions == 0)
        #expect(tight.preemptions > 0, "the small cache must force preemptions")
        #expect(tight.tokens == roomy.tokens)
        for request in requests {
            #expect(roomy.tokens[request.id]?.count == request.maxNewTokens)
        }
    }

    @Test func batchingDoesNotChangeTheOutput() {
        let requests = Self.requests(count: 6, seed: 9, sampled: false)
        let batched = Self.outputs(requests, configuration: Fixtures.configuration(maxBatchTokens: 7))
        for request in requests {
            let alone = Self.outputs([request], configuration: Fixtures.configuration(maxBatchTokens: 64))
            #expect(alone.tokens[request.id] == batched.tokens[request.id])
        }
    }

    @Test func sameSeedSameTokens() {
        let requests = Self.requests(count: 5, seed: 3, sampled: true)
        let configuration = Fixtures.configuration()
        let first = Self.outputs(requests, configuration: configuration)
        let second = Self.outputs(requests, configuration: configuration)
        #expect(first.tokens == second.tokens)

        // Another sampling seed, or another model seed, changes the text.
        var reseeded = requests
        for index in reseeded.indices { reseeded[index].sampling = .temperature(0.8, seed: 1000 + UInt64(index)) }
        #expect(Self.outputs(reseeded, configuration: configuration).tokens != first.tokens)
        var otherModel = configuration
        otherModel.model.seed += 1
        #expect(Self.outputs(requests, configuration: otherModel).tokens != first.tokens)
    }

    @Test func stopTokenEndsGenerationAndIsDelivered() {
        let prompt = Fixtures.prompt(length: 5, seed: 1)
        let probe = Self.outputs(
            [GenerationRequest(id: "p", promptTokens: prompt, maxNewTokens: 6)],
            configuration: Fixtures.configuration()
        )
        let greedy = probe.tokens["p"]!
        let stop = greedy[2]
        let expectedLength = greedy.firstIndex(of: stop)! + 1
        let core = Fixtures.core(Fixtures.configuration())
        let log = ResultLog()
        core.submit(GenerationRequest(id: "s", promptTokens: prompt, maxNewTokens: 6, stopToken: stop), sink: log.sink)
        core.runToCompletion()
        let result = log.results(for: "s")[0]
        #expect(result.finishReason == .stop)
        #expect(result.generatedTokens == Array(greedy.prefix(expectedLength)))
        #expect(result.generatedTokens.last == stop)
    }

    @Test func cancellingMidDecodeFreesTheBlocks() {
        let core = Fixtures.core(Fixtures.configuration())
        let log = ResultLog()
        core.submit(
            GenerationRequest(id: "keep", promptTokens: Fixtures.prompt(length: 6, seed: 1), maxNewTokens: 30),
            sink: log.sink
        )
        core.submit(
            GenerationRequest(id: "drop", promptTokens: Fixtures.prompt(length: 9, seed: 2), maxNewTokens: 30),
            sink: log.sink
        )
        for _ in 0..<4 { core.step() }
        #expect(core.live["drop"]?.status == .decoding)
        #expect(!core.cache.blockTable(for: "drop").isEmpty)
        let freeBefore = core.cache.freeBlockCount
        let held = core.cache.blockTable(for: "drop").count

        core.cancel("drop")
        core.assertInvariants()
        #expect(core.live["drop"] == nil)
        #expect(core.cache.blockTable(for: "drop").isEmpty)
        #expect(core.cache.freeBlockCount == freeBefore + held)
        let result = log.results(for: "drop")
        #expect(result.count == 1)
        #expect(result.first?.finishReason == .cancelled)
        #expect(result.first?.error?.code == .cancelled)
        #expect(result.first?.generatedTokens.count == 4)

        core.cancel("drop")  // already gone: ignored
        core.runToCompletion()
        #expect(log.results(for: "drop").count == 1)
        #expect(log.results(for: "keep").first?.finishReason == .length)
    }

    @Test(arguments: [
        (GenerationRequest(id: "empty", promptTokens: [], maxNewTokens: 1), EngineError.Code.invalidRequest),
        (GenerationRequest(id: "vocab", promptTokens: [1, 32], maxNewTokens: 1), .invalidRequest),
        (GenerationRequest(id: "negative", promptTokens: [-1], maxNewTokens: 1), .invalidRequest),
        (GenerationRequest(id: "zero", promptTokens: [1], maxNewTokens: 0), .invalidRequest),
        (GenerationRequest(id: "long", promptTokens: [1], maxNewTokens: 256), .invalidRequest),
        (
            GenerationRequest(id: "cache", promptTokens: Array(repeating: 1, count: 200), maxNewTokens: 1),
            .invalidRequest
        ),
        (
            GenerationRequest(
                id: "temp",
                promptTokens: [1],
                maxNewTokens: 1,
                sampling: .temperature(.infinity, seed: 1)
            ), .invalidRequest
        ),
    ])
    func invalidRequestsFailAtOnce(request: GenerationRequest, code: EngineError.Code) {
        // 40 blocks of 4: 160 tokens of cache, fewer than the 256 positions.
        let core = Fixtures.core(Fixtures.configuration(model: Fixtures.model(maxSequenceLength: 256), numBlocks: 40))
        let log = ResultLog()
        core.submit(request, sink: log.sink)
        #expect(!core.hasWork)
        let result = log.results(for: request.id)
        #expect(result.count == 1)
        #expect(result.first?.finishReason == .failed)
        #expect(result.first?.error?.code == code)
    }

    @Test func duplicateIDsFailWithoutHurtingTheLiveRequest() {
        let core = Fixtures.core(Fixtures.configuration())
        let log = ResultLog()
        core.submit(GenerationRequest(id: "x", promptTokens: [1, 2, 3], maxNewTokens: 5), sink: log.sink)
        core.step()
        let blocks = core.cache.blockTable(for: "x")
        core.submit(GenerationRequest(id: "x", promptTokens: [4], maxNewTokens: 5), sink: log.sink)
        #expect(core.cache.blockTable(for: "x") == blocks)
        #expect(log.results(for: "x").map(\.error?.code) == [.duplicateRequestID])
        core.runToCompletion()
        #expect(log.results(for: "x").map(\.finishReason) == [.failed, .length])
    }

    @Test func fullQueueRefusesNewRequests() {
        let core = Fixtures.core(Fixtures.configuration(maxWaitingRequests: 2))
        let log = ResultLog()
        for index in 0..<3 {
            core.submit(
                GenerationRequest(id: RequestID("q\(index)"), promptTokens: [1], maxNewTokens: 1),
                sink: log.sink
            )
        }
        #expect(log.results(for: "q2").first?.error?.code == .queueFull)
        #expect(log.results(for: "q2").first?.error?.code.isRetryable == true)
        core.runToCompletion()
        #expect(log.results(for: "q0").first?.finishReason == .length)
        #expect(log.results(for: "q1").first?.finishReason == .length)
    }

    @Test func cancelAllEndsEveryLiveRequest() {
        let core = Fixtures.core(Fixtures.configuration(numBlocks: 8))
        let log = ResultLog()
        for request in Self.requests(count: 6, seed: 1, sampled: false) { core.submit(request, sink: log.sink) }
        core.step()
        core.cancelAll(message: "shutdown")
        #expect(!core.hasWork)
        core.assertInvariants()
        #expect(core.cache.freeBlockCount == 8)
        #expect(log.all.values.allSatisfy { $0.count == 1 && $0[0].finishReason == .cancelled })
        #expect(log.all.count == 6)
    }
}
