import InferenceEngine
import Testing

@Suite struct EngineConfigurationTests {
    @Test func defaultsAreValidAndDocumented() throws {
        let configuration = EngineConfiguration()
        try configuration.validate()
        #expect(!configuration.enabled)
        #expect(configuration.blockSize == 32)
        #expect(configuration.scheduler == .fifo)
        #expect(configuration.model.numLayers == 2 && configuration.model.hiddenSize == 64)
        #expect(configuration.model.numHeads == 4 && configuration.model.vocabularySize == 256)
        // 2 layers x K,V x 32 slots x 4 heads x 16 dims x 4 bytes = 32 KiB per block.
        #expect(configuration.kvCacheBytesPerBlock == 32 * 1024)
        #expect(configuration.kvCacheBytes == configuration.numBlocks * 32 * 1024)
        #expect(configuration.kvCacheTokenCapacity == configuration.numBlocks * 32)
    }

    @Test(
        arguments: [
            { (c: inout EngineConfiguration) in c.blockSize = 0 },
            { c in c.numBlocks = 0 },
            { c in c.maxBatchTokens = 0 },
            { c in c.spanSampleRatio = 1.5 },
            { c in c.maxWaitingRequests = -1 },
            { c in c.modelName = "" },
            { c in c.model.numHeads = 3 },
            { c in c.model.numKVHeads = 3 },
            { c in
                c.model.hiddenSize = 36; c.model.numHeads = 12
            },  // odd head dim with rotary
            { c in c.model.vocabularySize = 1 },
            { c in c.workload.requestsPerSecond = -1 },
            { c in c.workload.temperature = .nan },
        ] as [@Sendable (inout EngineConfiguration) -> Void]
    )
    func invalidValuesAreRejected(change: @Sendable (inout EngineConfiguration) -> Void) {
        var configuration = EngineConfiguration()
        change(&configuration)
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? EngineError)?.code == .invalidConfiguration
        }
    }

    @Test func policyAndShutdownNamesMatchTheYAML() {
        #expect(SchedulerPolicy(rawValue: "fifo") == .fifo)
        #expect(SchedulerPolicy(rawValue: "prefill_first") == .prefillFirst)
        #expect(ShutdownBehavior(rawValue: "finish") == .finishInFlight)
        #expect(ShutdownBehavior(rawValue: "cancel") == .cancelInFlight)
        #expect(RequestStatus.prefillingSplit.rawValue == "prefilling_split")
        #expect(FinishReason.allCases.map(\.rawValue) == ["stop", "length", "cancelled", "failed"])
    }
}
