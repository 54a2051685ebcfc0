import Testing

@testable import InferenceEngine

@Suite struct SchedulerTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        var policy: SchedulerPolicy
        var seed: UInt64
        var testDescription: String { "\(policy.rawValue) seed \(seed)" }
    }

    static let scenarios: [Scenario] = [SchedulerPolicy.fifo, .prefillFirst].flatMap { policy in
        (1...4).map { Scenario(policy: policy, seed: $0) }
    }

    /// Requests arrive over time with random lengths into a cache too small for all of them, and some are
    /// cancelled; after every step no block is leaked or shared and the budget holds, and in the end every
    /// request ended exactly once and every block is free again.
    @Test(arguments: scenarios)
    func randomizedWorkloadKeepsTheInvariants(scenario: Scenario) {
        let configuration = Fixtures.configuration(
            blockSize: 4,
            numBlocks: 20,
            maxBatchTokens: 12,
            scheduler: scenario.policy
        )
        let core = Fixtures.core(configuration)
        let log = ResultLog()
        var random = SplitMix64(seed: scenario.seed)
        var submitted: [RequestID] = []
        var firstAdmissions: [RequestID] = []
        var admittedOnce = Set<RequestID>()
        var preemptions = 0
        var steps = 0
        let total = 40

        while submitted.count < total || core.hasWork {
            // Zero to three arrivals per step.
            for _ in 0..<Int(random.next() % 4) where submitted.count < total {
                let id = RequestID("r\(submitted.count)")
                let promptLength = 1 + Int(random.next() % 30)
                let request = GenerationRequest(
                    id: id,
                    promptTokens: Fixtures.prompt(length: promptLength, seed: random.next()),
                    maxNewTokens: 1 + Int(random.next() % 16),
                    stopToken: random.next() % 3 == 0 ? Int(random.next() % 32) : nil,
                    sampling: random.next() % 2 == 0 ? .greedy : .temperature(0.9, seed: random.next())
                )
                core.submit(request, sink: log.sink)
                submitted.append(id)
            }
            // Now and then cancel a random earlier request (live or not).
            if !submitted.isEmpty && random.next() % 9 == 0 {
                core.cancel(submitted[Int(random.next() % UInt64(submitted.count))])
            }
            core.assertInvariants()
            guard core.hasWork else { continue }
            let report = core.step()
            steps += 1
            core.assertInvariants(report: report)
            preemptions += report.preempted.count
            for id in report.admitted where admittedOnce.insert(id).inserted { firstAdmissions.append(id) }
            // Decoding requests take exactly one token; prefill chunks never exceed what is pending.
            for chunk in report.chunks where chunk.isDecode { #expect(chunk.count == 1) }
            if steps > 20_000 {
                Issue.record("no progress")
                break
            }
        }

        #expect(preemptions > 0, "the cache is small enough that preemption must happen")
        #expect(core.cache.freeBlockCount == configuration.numBlocks)
        #expect(core.live.isEmpty)
        let results = log.all
        for id in submitted {
            #expect(results[id]?.count == 1, "request \(id) ended \(results[id]?.count ?? 0) times")
        }
        // Admission is first-come-first-served under both policies.
        let order = firstAdmissions.map { Int($0.rawValue.dropFirst())! }
        #expect(order == order.sorted(), "admission order \(order)")
        for result in results.values.flatMap({ $0 }) where result.finishReason == .length {
            #expect(result.generatedTokens.count > 0)
        }
    }

    @Test func fifoAdmitsInArrivalOrderAndBlocksBehindTheHead() {
        // Three blocks of four tokens: the 9-token head fits, the next (8 tokens) has to wait for it even though
        // the small one behind it would fit.
        let configuration = Fixtures.configuration(blockSize: 4, numBlocks: 4, maxBatchTokens: 32)
        let core = Fixtures.core(configuration)
        let log = ResultLog()
        core.submit(
            GenerationRequest(id: "a", promptTokens: Fixtures.prompt(length: 9, seed: 1), maxNewTokens: 4),
            sink: log.sink
        )
        core.submit(
            GenerationRequest(id: "b", promptTokens: Fixtures.prompt(length: 8, seed: 2), maxNewTokens: 4),
            sink: log.sink
        )
        core.submit(
            GenerationRequest(id: "c", promptTokens: Fixtures.prompt(length: 1, seed: 3), maxNewTokens: 1),
            sink: log.sink
        )
        let first = core.step()
        #expect(first.admitted == ["a"])
        let reports = core.runToCompletion()
        let admissions = ([first] + reports).flatMap(\.admitted)
        #expect(admissions == ["a", "b", "c"])
        #expect(log.all.count == 3)
    }

    @Test func longPromptsArePrefilledInChunksWithinTheBudget() {
        let configuration = Fixtures.configuration(blockSize: 4, numBlocks: 32, maxBatchTokens: 10)
        let core = Fixtures.core(configuration)
        let log = ResultLog()
        core.submit(
            GenerationRequest(id: "long", promptTokens: Fixtures.prompt(length: 27, seed: 5), maxNewTokens: 2),
            sink: log.sink
        )
        var statuses: [RequestStatus] = []
        var chunks: [StepReport.Chunk] = []
        while core.hasWork {
            let report = core.step()
            core.assertInvariants(report: report)
            chunks += report.chunks
            if let request = core.live["long"] { statuses.append(request.status) }
        }
        #expect(chunks.map(\.count) == [10, 10, 7, 1])
        #expect(chunks.map(\.start) == [0, 10, 20, 27])
        #expect(statuses.prefix(2) == [.prefillingSplit, .prefillingSplit])
        #expect(statuses.dropFirst(2).first == .decoding)
        #expect(log.results(for: "long").first?.generatedTokens.count == 2)
    }

    @Test func policiesOrderRunningWorkDifferently() {
        // One request decoding and one part-way through a chunked prefill; the budget fits only one of them.
        func firstStepAfterSetup(_ policy: SchedulerPolicy) -> [RequestID] {
            let configuration = Fixtures.configuration(
                blockSize: 4,
                numBlocks: 32,
                maxBatchTokens: 6,
                scheduler: policy
            )
            let core = Fixtures.core(configuration)
            let log = ResultLog()
            core.submit(
                GenerationRequest(id: "decoder", promptTokens: Fixtures.prompt(length: 3, seed: 1), maxNewTokens: 50),
                sink: log.sink
            )
            core.step()  // decoder prefilled (3 tokens), now decoding
            core.submit(
                GenerationRequest(id: "prefill", promptTokens: Fixtures.prompt(length: 40, seed: 2), maxNewTokens: 2),
                sink: log.sink
            )
            core.step()  // decoder 1 token + 5 prefill tokens
            #expect(core.live["prefill"]?.status == .prefillingSplit)
            return core.step().chunks.map(\.id)
        }
        #expect(firstStepAfterSetup(.fifo) == ["decoder", "prefill"])
        #expect(firstStepAfterSetup(.prefillFirst) == ["prefill"], "the split prefill takes the whole budget first")
    }

    @Test func fifoSafetyMarginHoldsBackNewPrefillsWhenBlocksRunLow() {
        // 10 blocks, margin 20%: with fewer than 2 free blocks no new request joins a non-empty step.
        let configuration = Fixtures.configuration(blockSize: 4, numBlocks: 10, maxBatchTokens: 64)
        let core = Fixtures.core(configuration)
        let log = ResultLog()
        core.submit(
            GenerationRequest(id: "big", promptTokens: Fixtures.prompt(length: 33, seed: 1), maxNewTokens: 3),
            sink: log.sink
        )
        core.step()  // 9 blocks used, 1 free
        core.submit(GenerationRequest(id: "small", promptTokens: [1], maxNewTokens: 1), sink: log.sink)
        let report = core.step()
        #expect(report.chunks.map(\.id) == ["big"])
        #expect(report.admitted.isEmpty)
        core.runToCompletion()
        #expect(log.all.count == 2)
    }
}
