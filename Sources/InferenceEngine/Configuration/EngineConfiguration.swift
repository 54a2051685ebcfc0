/// Everything the inference engine is configured with. The gateway maps its YAML section onto this struct; the
/// YAML key of each property is given first in its documentation.
public struct EngineConfiguration: Sendable, Hashable {
    /// `enabled`: whether the gateway runs the engine at all. `EngineService` does no work when false. Default false.
    public var enabled: Bool
    /// `model_name`: the `model_name` dimension on every metric and the `gen_ai.request.model` span attribute.
    /// Default "tiny-transformer".
    public var modelName: String
    /// `model`: the transformer's shape and weight seed.
    public var model: ModelConfiguration
    /// `block_size`: tokens per KV-cache block. Default 32 (as transformers' continuous batching).
    public var blockSize: Int
    /// `num_blocks`: blocks in the KV-cache pool, shared by all requests. Default 512 (16 MiB with the default
    /// model, room for 16 384 tokens).
    public var numBlocks: Int
    /// `max_batch_tokens`: tokens one engine step may process (prefill chunks plus one per decoding request).
    /// Default 256.
    public var maxBatchTokens: Int
    /// `scheduler`: `fifo` (default) or `prefill_first`.
    public var scheduler: SchedulerPolicy
    /// `max_waiting_requests`: requests that may wait for admission before new ones are refused with
    /// `EngineError.Code.queueFull`; 0 means unbounded. Default 1024.
    public var maxWaitingRequests: Int
    /// `span_sample_ratio`: fraction of engine steps that get an `engine_step` span (0...1). Per-request spans are
    /// always started; the tracer backend's own sampler decides about those. Default 0.01.
    public var spanSampleRatio: Double
    /// `shutdown`: `finish` (default) completes accepted requests on graceful shutdown, `cancel` cancels them.
    public var shutdownBehavior: ShutdownBehavior
    /// `seed`: seeds the engine's own choices (step-span sampling). Default 0.
    public var seed: UInt64
    /// `workload`: the built-in synthetic traffic that `EngineService` submits.
    public var workload: WorkloadConfiguration

    public init(
        enabled: Bool = false,
        modelName: String = "tiny-transformer",
        model: ModelConfiguration = ModelConfiguration(),
        blockSize: Int = 32,
        numBlocks: Int = 512,
        maxBatchTokens: Int = 256,
        scheduler: SchedulerPolicy = .fifo,
        maxWaitingRequests: Int = 1024,
        spanSampleRatio: Double = 0.01,
        shutdownBehavior: ShutdownBehavior = .finishInFlight,
        seed: UInt64 = 0,
        workload: WorkloadConfiguration = WorkloadConfiguration()
    ) {
        self.enabled = enabled
        self.modelName = modelName
        self.model = model
        self.blockSize = blockSize
        self.numBlocks = numBlocks
        self.maxBatchTokens = maxBatchTokens
        self.scheduler = scheduler
        self.maxWaitingRequests = maxWaitingRequests
        self.spanSampleRatio = spanSampleRatio
        self.shutdownBehavior = shutdownBehavior
        self.seed = seed
        self.workload = workload
    }

    /// Tokens the KV cache holds in all.
    public var kvCacheTokenCapacity: Int { blockSize * numBlocks }

    /// Bytes of one KV-cache block across all layers: K and V, Float32.
    public var kvCacheBytesPerBlock: Int {
        model.numLayers * 2 * blockSize * model.numKVHeads * model.headDim * MemoryLayout<Float>.stride
    }

    /// Bytes the KV cache allocates.
    public var kvCacheBytes: Int { kvCacheBytesPerBlock * numBlocks }

    /// Checks every value; the gateway calls this when it loads its configuration, and `Engine` requires it.
    public func validate() throws(EngineError) {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(EngineError) {
            if !condition { throw EngineError(code: .invalidConfiguration, message: message()) }
        }
        try model.validate()
        try workload.validate()
        try require(!modelName.isEmpty, "model_name must not be empty")
        try require(blockSize >= 1, "block_size must be at least 1 (got \(blockSize))")
        try require(numBlocks >= 1, "num_blocks must be at least 1 (got \(numBlocks))")
        try require(maxBatchTokens >= 1, "max_batch_tokens must be at least 1 (got \(maxBatchTokens))")
        try require(maxWaitingRequests >= 0, "max_waiting_requests must be >= 0 (got \(maxWaitingRequests))")
        try require(
            spanSampleRatio >= 0 && spanSampleRatio <= 1,
            "span_sample_ratio must be within 0...1 (got \(spanSampleRatio))"
        )
        let (_, overflow) = kvCacheBytesPerBlock.multipliedReportingOverflow(by: numBlocks)
        try require(!overflow, "the KV cache size overflows (num_blocks \(numBlocks), block_size \(blockSize))")
    }
}
