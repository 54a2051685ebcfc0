/// How one engine metric is to be exported: what the gateway's metrics backend needs beyond what swift-metrics
/// carries (swift-metrics has no units, descriptions or bucket boundaries).
public struct EngineMetricDescriptor: Sendable, Hashable {
    /// The OpenTelemetry instrument the metric becomes.
    public enum Kind: String, Sendable, Hashable {
        /// Monotonic sum; recorded through a swift-metrics `Counter`.
        case counter
        /// Last value; recorded through a swift-metrics `Gauge`.
        case gauge
        /// Explicit-bucket histogram; recorded through a swift-metrics `Recorder` (aggregate), values in `unit`.
        case histogram
    }

    /// The label passed to swift-metrics, which is the OpenTelemetry instrument name.
    public var name: String
    public var kind: Kind
    /// The OpenTelemetry unit (UCUM where one exists).
    public var unit: String
    public var description: String
    /// Explicit bucket boundaries in `unit`, ascending; empty unless `kind` is `histogram`.
    public var bucketBoundaries: [Double]
    /// Dimension keys every data point carries.
    public var dimensions: [String]

    public init(
        name: String,
        kind: Kind,
        unit: String,
        description: String,
        bucketBoundaries: [Double] = [],
        dimensions: [String] = [EngineMetricNames.modelNameDimension]
    ) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.description = description
        self.bucketBoundaries = bucketBoundaries
        self.dimensions = dimensions
    }
}

/// Every metric the engine records, with its OpenTelemetry unit, kind and buckets.
///
/// The first ten are the metrics of transformers' continuous batching (`ContinuousBatchProcessorMetrics`) with
/// their exact names, units and buckets; the rest are the vLLM serving metrics that transformers lacks, named in
/// the same style. Every data point carries `model_name`; `finished_requests` also carries `reason`.
public enum EngineMetricNames {
    /// The instrumentation scope (meter name) transformers uses; a backend may use it for the engine's metrics.
    public static let meterName = "transformers.generation.continuous_batch_processor"
    /// The dimension naming the served model, on every metric.
    public static let modelNameDimension = "model_name"
    /// The dimension of `finished_requests` holding a `FinishReason` raw value.
    public static let reasonDimension = "reason"

    // transformers' metrics.
    public static let ttft = "ttft_milliseconds"
    public static let activeRequests = "active_requests_count"
    public static let waitingRequests = "waiting_requests_count"
    public static let requestLatency = "request_latency_milliseconds"
    public static let decodePrefillRatio = "decode_prefill_ratio"
    public static let prefillTokensProcessed = "prefill_tokens_processed"
    public static let decodeTokensProcessed = "decode_tokens_processed"
    public static let batchFillPercentage = "batch_fill_percentage"
    public static let kvCacheFreeMemory = "kv_cache_free_memory_bytes"
    public static let kvCacheMemory = "kv_cache_memory_bytes"

    // vLLM-grade additions.
    public static let interTokenLatency = "inter_token_latency_milliseconds"
    public static let queueTime = "request_queue_time_milliseconds"
    public static let prefillTime = "request_prefill_time_milliseconds"
    public static let decodeTime = "request_decode_time_milliseconds"
    public static let inferenceTime = "request_inference_time_milliseconds"
    public static let requestPromptTokens = "request_prompt_tokens"
    public static let requestGenerationTokens = "request_generation_tokens"
    public static let iterationTokens = "iteration_tokens"
    public static let promptTokens = "prompt_tokens"
    public static let generationTokens = "generation_tokens"
    public static let preemptions = "preemptions"
    public static let finishedRequests = "finished_requests"
    public static let kvCacheUsage = "kv_cache_usage_ratio"

    static let ttftBuckets: [Double] = [10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000]
    static let latencyBuckets: [Double] = [50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000]
    static let fillBuckets: [Double] = [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 100]
    /// vLLM's inter-token buckets in ms, with 1 to 5 ms in front for a CPU model whose steps take milliseconds.
    static let interTokenBuckets: [Double] = [
        1, 2.5, 5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 2500, 5000, 7500, 10000, 20000, 40000,
        80000,
    ]
    /// vLLM's request-phase buckets (0.3 s to 7680 s) in ms, with 1 to 100 ms in front.
    static let phaseBuckets: [Double] = [
        1, 5, 10, 25, 50, 100, 300, 500, 800, 1000, 1500, 2000, 2500, 5000, 10000, 15000, 20000, 30000, 40000, 50000,
        60000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 7_680_000,
    ]
    /// vLLM's 1-2-5 series for token counts.
    static let tokenCountBuckets: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
    /// vLLM's buckets for tokens per engine step.
    static let iterationBuckets: [Double] = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]

    /// Every metric, in a fixed order: transformers' ten first, then the additions.
    public static let all: [EngineMetricDescriptor] = [
        .init(
            name: ttft,
            kind: .histogram,
            unit: "ms",
            description: "Time to first token: arrival to the first generated token, recorded once per request.",
            bucketBoundaries: ttftBuckets
        ),
        .init(
            name: activeRequests,
            kind: .gauge,
            unit: "requests",
            description: "Requests admitted and holding KV blocks (prefilling or decoding)."
        ),
        .init(
            name: waitingRequests,
            kind: .gauge,
            unit: "requests",
            description: "Requests waiting for admission, preempted ones included."
        ),
        .init(
            name: requestLatency,
            kind: .histogram,
            unit: "ms",
            description: "End-to-end latency of completed requests (finish reason stop or length).",
            bucketBoundaries: latencyBuckets
        ),
        .init(
            name: decodePrefillRatio,
            kind: .gauge,
            unit: "ratio",
            description: "Decode tokens divided by prefill tokens in the last step that had prefill tokens."
        ),
        .init(
            name: prefillTokensProcessed,
            kind: .counter,
            unit: "tokens",
            description: "Prefill tokens scheduled, recomputation after preemption included."
        ),
        .init(
            name: decodeTokensProcessed,
            kind: .counter,
            unit: "tokens",
            description: "Decode tokens scheduled (one per decoding request per step)."
        ),
        .init(
            name: batchFillPercentage,
            kind: .histogram,
            unit: "percent",
            description: "Tokens of a step as a percentage of max_batch_tokens.",
            bucketBoundaries: fillBuckets
        ),
        .init(
            name: kvCacheFreeMemory,
            kind: .gauge,
            unit: "bytes",
            description: "Bytes of the KV cache in free blocks."
        ),
        .init(
            name: kvCacheMemory,
            kind: .gauge,
            unit: "bytes",
            description: "Bytes of the KV cache in blocks held by requests."
        ),
        .init(
            name: interTokenLatency,
            kind: .histogram,
            unit: "ms",
            description: "Time between two successive tokens of a request.",
            bucketBoundaries: interTokenBuckets
        ),
        .init(
            name: queueTime,
            kind: .histogram,
            unit: "ms",
            description: "Arrival to first scheduling of a request.",
            bucketBoundaries: phaseBuckets
        ),
        .init(
            name: prefillTime,
            kind: .histogram,
            unit: "ms",
            description: "First scheduling to first token of a request.",
            bucketBoundaries: phaseBuckets
        ),
        .init(
            name: decodeTime,
            kind: .histogram,
            unit: "ms",
            description: "First token to last token of a completed request.",
            bucketBoundaries: phaseBuckets
        ),
        .init(
            name: inferenceTime,
            kind: .histogram,
            unit: "ms",
            description: "First scheduling to last token of a completed request.",
            bucketBoundaries: phaseBuckets
        ),
        .init(
            name: requestPromptTokens,
            kind: .histogram,
            unit: "tokens",
            description: "Prompt length of completed requests.",
            bucketBoundaries: tokenCountBuckets
        ),
        .init(
            name: requestGenerationTokens,
            kind: .histogram,
            unit: "tokens",
            description: "Tokens generated by completed requests.",
            bucketBoundaries: tokenCountBuckets
        ),
        .init(
            name: iterationTokens,
            kind: .histogram,
            unit: "tokens",
            description: "Tokens processed by one engine step.",
            bucketBoundaries: iterationBuckets
        ),
        .init(
            name: promptTokens,
            kind: .counter,
            unit: "tokens",
            description: "Prompt tokens of admitted requests, counted once per request."
        ),
        .init(
            name: generationTokens,
            kind: .counter,
            unit: "tokens",
            description: "Tokens generated and delivered."
        ),
        .init(
            name: preemptions,
            kind: .counter,
            unit: "preemptions",
            description: "Requests preempted because the KV cache ran out of blocks."
        ),
        .init(
            name: finishedRequests,
            kind: .counter,
            unit: "requests",
            description: "Requests that ended, by reason: stop, length, cancelled or failed.",
            dimensions: [modelNameDimension, reasonDimension]
        ),
        .init(
            name: kvCacheUsage,
            kind: .gauge,
            unit: "1",
            description: "Fraction of KV-cache blocks held by requests, 0 to 1."
        ),
    ]

    /// The descriptor of `name`, if the engine records such a metric.
    public static func descriptor(named name: String) -> EngineMetricDescriptor? {
        byName[name]
    }

    private static let byName: [String: EngineMetricDescriptor] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) }
    )
}

/// The names of the spans the engine starts.
public enum EngineSpanNames {
    /// One per request, from arrival to its end; a child of the context current at `submit`.
    public static let request = "request"
    /// Child of `request`: arrival to first scheduling.
    public static let queue = "queue"
    /// Child of `request`: first scheduling to first token.
    public static let prefill = "prefill"
    /// Child of `request`: first token to the end.
    public static let decode = "decode"
    /// One per sampled engine step (`span_sample_ratio`), a root span.
    public static let step = "engine_step"
    /// Children of `engine_step`.
    public static let scheduleBatch = "schedule_batch"
    public static let modelForward = "model_forward"
    public static let updateBatch = "update_batch"
}
