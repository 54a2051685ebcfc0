import ComponentKit
import ConfigTestSupport
import EngineReceiver
import GatewayConfig
import Testing

@Suite struct EngineReceiverConfigTests {
    func config(_ body: String) throws -> EngineReceiverConfig {
        let yaml = document(
            receivers: "engine:"
                + (body.isEmpty ? "" : "\n" + body.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")),
            service: "pipelines:\n  metrics:\n    receivers: [engine]\n    exporters: [debug]")
        let parsed = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        guard let e = parsed.receivers[ComponentID(type: "engine")] as? EngineReceiverConfig else {
            Issue.record("no engine receiver")
            return EngineReceiverConfig()
        }
        return e
    }

    @Test func defaults() throws {
        #expect(try config("") == EngineReceiverConfig())
        let d = EngineReceiverConfig()
        #expect(d.enabled && d.blockSize == 32 && d.numBlocks == 512 && d.maxBatchTokens == 256)
        #expect(d.scheduler == .fifo && d.collectionInterval == .seconds(5) && d.workloadRate == 4)
    }

    @Test func everyKey() throws {
        let e = try config(
            """
            enabled: false
            model_name: m
            model: {layers: 3, hidden_size: 32, heads: 2, vocab_size: 100, seed: 7}
            block_size: 16
            num_blocks: 64
            max_batch_tokens: 128
            scheduler: prefill_first
            span_sample_ratio: 0.5
            collection_interval: 2s
            workload: {rate: 0, prompt_length_median: 10, output_length_median: 5, seed: 9}
            """)
        #expect(
            e
                == EngineReceiverConfig(
                    enabled: false, modelName: "m", layers: 3, hiddenSize: 32, heads: 2, vocabularySize: 100,
                    modelSeed: 7,
                    blockSize: 16, numBlocks: 64, maxBatchTokens: 128, scheduler: .prefillFirst, spanSampleRatio: 0.5,
                    collectionInterval: .seconds(2), workloadRate: 0, promptLengthMedian: 10, outputLengthMedian: 5,
                    workloadSeed: 9))
    }

    @Test func problemsNameTheirKeys() {
        let yaml = document(
            receivers:
                "engine:\n  scheduler: lifo\n  span_sample_ratio: 2\n  model: {hidden_size: 30, heads: 4}\n  bogus: 1",
            service: "pipelines:\n  metrics:\n    receivers: [engine]\n    exporters: [debug]")
        #expect(
            problems(yaml) == [
                "receivers.engine.scheduler: expected one of fifo, prefill_first, got \"lifo\"",
                "receivers.engine.span_sample_ratio: must be between 0 and 1, got 2.0",
                "receivers.engine.model.heads: must divide model.hidden_size (30), got 4",
                "receivers.engine.bogus: unknown key",
            ])
    }
}
