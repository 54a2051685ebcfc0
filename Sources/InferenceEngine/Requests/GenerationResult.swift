/// The outcome of one request, as `Engine.generate(batch:)` returns it.
public struct GenerationResult: Sendable, Hashable {
    public var requestID: RequestID
    public var promptTokens: [Int]
    /// Every token produced (also those produced before a cancellation or failure).
    public var generatedTokens: [Int]
    public var finishReason: FinishReason
    /// Set when `finishReason` is `failed` or `cancelled`.
    public var error: EngineError?
    /// How often the request was preempted (its KV blocks taken back and its prefill recomputed later).
    public var preemptions: Int
    /// Arrival to first scheduling; nil if it never ran.
    public var queueTime: Duration?
    /// Arrival to first token; nil if it produced none.
    public var timeToFirstToken: Duration?
    /// Arrival to the end.
    public var latency: Duration

    public var status: RequestStatus { finishReason.status }

    public init(
        requestID: RequestID,
        promptTokens: [Int],
        generatedTokens: [Int],
        finishReason: FinishReason,
        error: EngineError? = nil,
        preemptions: Int = 0,
        queueTime: Duration? = nil,
        timeToFirstToken: Duration? = nil,
        latency: Duration = .zero
    ) {
        self.requestID = requestID
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.finishReason = finishReason
        self.error = error
        self.preemptions = preemptions
        self.queueTime = queueTime
        self.timeToFirstToken = timeToFirstToken
        self.latency = latency
    }
}
