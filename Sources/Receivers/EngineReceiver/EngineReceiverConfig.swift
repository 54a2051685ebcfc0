public import ComponentKit

/// The `engine` receiver: the gateway's built-in continuous-batching inference engine, whose metrics and spans
/// enter the pipelines in-process, `receivers.engine[/name]`. The defaults are a tiny CPU model under a light
/// Poisson workload, so a new user sees live telemetry at once.
public struct EngineReceiverConfig: Sendable, Equatable {
    /// Scheduling policy: `fifo` or `prefill_first`.
    public enum Scheduler: String, Sendable, CaseIterable {
        case fifo
        case prefillFirst = "prefill_first"
    }

    /// `enabled`: run the engine. Default true.
    public var enabled: Bool
    /// `model_name`: the `model_name` label on every metric. Default `tiny-transformer`.
    public var modelName: String
    /// `model.layers`: decoder layers. Default 2.
    public var layers: Int
    /// `model.hidden_size`: model width. Default 64.
    public var hiddenSize: Int
    /// `model.heads`: attention heads (must divide hidden_size). Default 4.
    public var heads: Int
    /// `model.vocab_size`: vocabulary. Default 256.
    public var vocabularySize: Int
    /// `model.seed`: seed of the generated weights. Default 42.
    public var modelSeed: Int
    /// `block_size`: tokens per KV-cache block. Default 32.
    public var blockSize: Int
    /// `num_blocks`: KV-cache blocks. Default 512.
    public var numBlocks: Int
    /// `max_batch_tokens`: token budget of one engine step. Default 256.
    public var maxBatchTokens: Int
    /// `scheduler`: `fifo` (default) or `prefill_first`.
    public var scheduler: Scheduler
    /// `span_sample_ratio`: share of engine steps traced, 0 to 1. Default 0.01.
    public var spanSampleRatio: Double
    /// `collection_interval`: how often the engine's metrics and spans enter the pipelines. Default 5s.
    public var collectionInterval: Duration
    /// `workload.rate`: Poisson arrivals per second; 0 turns the built-in workload off. Default 4.
    public var workloadRate: Double
    /// `workload.prompt_length_median`: median prompt tokens (log-normal). Default 128.
    public var promptLengthMedian: Double
    /// `workload.output_length_median`: median output tokens (log-normal). Default 64.
    public var outputLengthMedian: Double
    /// `workload.seed`: seed of the workload. Default 1.
    public var workloadSeed: Int

    public init(
        enabled: Bool = true, modelName: String = "tiny-transformer", layers: Int = 2, hiddenSize: Int = 64,
        heads: Int = 4,
        vocabularySize: Int = 256, modelSeed: Int = 42, blockSize: Int = 32, numBlocks: Int = 512,
        maxBatchTokens: Int = 256,
        scheduler: Scheduler = .fifo, spanSampleRatio: Double = 0.01, collectionInterval: Duration = .seconds(5),
        workloadRate: Double = 4, promptLengthMedian: Double = 128, outputLengthMedian: Double = 64,
        workloadSeed: Int = 1
    ) {
        self.enabled = enabled
        self.modelName = modelName
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.heads = heads
        self.vocabularySize = vocabularySize
        self.modelSeed = modelSeed
        self.blockSize = blockSize
        self.numBlocks = numBlocks
        self.maxBatchTokens = maxBatchTokens
        self.scheduler = scheduler
        self.spanSampleRatio = spanSampleRatio
        self.collectionInterval = collectionInterval
        self.workloadRate = workloadRate
        self.promptLengthMedian = promptLengthMedian
        self.outputLengthMedian = outputLengthMedian
        self.workloadSeed = workloadSeed
    }
}

extension EngineReceiverConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let d = EngineReceiverConfig()
        let model = reader.section("model") { m in
            (
                layers: m.int("layers", default: d.layers, min: 1, max: 64),
                hidden: m.int("hidden_size", default: d.hiddenSize, min: 4, max: 4096),
                heads: m.int("heads", default: d.heads, min: 1, max: 256),
                vocab: m.int("vocab_size", default: d.vocabularySize, min: 2, max: 1_000_000),
                seed: m.int("seed", default: d.modelSeed, min: 0)
            )
        }
        let workload = reader.section("workload") { w in
            (
                rate: w.double("rate", default: d.workloadRate, min: 0),
                prompt: w.double("prompt_length_median", default: d.promptLengthMedian, min: 1),
                output: w.double("output_length_median", default: d.outputLengthMedian, min: 1),
                seed: w.int("seed", default: d.workloadSeed, min: 0)
            )
        }
        self.init(
            enabled: reader.bool("enabled", default: d.enabled),
            modelName: reader.string("model_name", default: d.modelName),
            layers: model?.layers ?? d.layers, hiddenSize: model?.hidden ?? d.hiddenSize,
            heads: model?.heads ?? d.heads,
            vocabularySize: model?.vocab ?? d.vocabularySize, modelSeed: model?.seed ?? d.modelSeed,
            blockSize: reader.int("block_size", default: d.blockSize, min: 1, max: 4096),
            numBlocks: reader.int("num_blocks", default: d.numBlocks, min: 1, max: 1_000_000),
            maxBatchTokens: reader.int("max_batch_tokens", default: d.maxBatchTokens, min: 1),
            scheduler: reader.choice("scheduler", default: d.scheduler),
            spanSampleRatio: reader.double("span_sample_ratio", default: d.spanSampleRatio, min: 0),
            collectionInterval: reader.positiveDuration("collection_interval", default: d.collectionInterval),
            workloadRate: workload?.rate ?? d.workloadRate,
            promptLengthMedian: workload?.prompt ?? d.promptLengthMedian,
            outputLengthMedian: workload?.output ?? d.outputLengthMedian, workloadSeed: workload?.seed ?? d.workloadSeed
        )
        if spanSampleRatio > 1 { reader.report("span_sample_ratio", "must be between 0 and 1, got \(spanSampleRatio)") }
        if hiddenSize % heads != 0 {
            reader.report("model.heads", "must divide model.hidden_size (\(hiddenSize)), got \(heads)")
        }
    }
}
