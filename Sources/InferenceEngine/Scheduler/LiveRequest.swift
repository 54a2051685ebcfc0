/// Where a request's tokens and completion go.
struct RequestSink: Sendable {
    /// Receives each token as it is produced, and the end of the request.
    var tokens: AsyncThrowingStream<Int, any Error>.Continuation?
    /// Receives the final result.
    var completion: (@Sendable (GenerationResult) -> Void)?
}

/// A request as the engine tracks it while it is live.
final class LiveRequest {
    let id: RequestID
    /// Arrival order; lower is older and has priority.
    let arrivalIndex: UInt64
    let promptCount: Int
    /// Prompt followed by the generated tokens.
    private(set) var tokens: [Int]
    let maxNewTokens: Int
    let stopToken: Int?
    var sampler: TokenSampler
    let sink: RequestSink

    var status: RequestStatus = .pending
    /// Tokens whose keys and values are in the cache (the position of the next token to compute).
    var computedCount = 0
    var preemptions = 0

    let arrival: ContinuousClock.Instant
    var firstScheduled: ContinuousClock.Instant?
    var firstToken: ContinuousClock.Instant?
    var lastToken: ContinuousClock.Instant?

    var trace: RequestTrace

    init(
        request: GenerationRequest,
        arrivalIndex: UInt64,
        arrival: ContinuousClock.Instant,
        sink: RequestSink,
        trace: RequestTrace
    ) {
        self.id = request.id
        self.arrivalIndex = arrivalIndex
        self.promptCount = request.promptTokens.count
        self.tokens = request.promptTokens
        self.tokens.reserveCapacity(request.promptTokens.count + request.maxNewTokens)
        self.maxNewTokens = request.maxNewTokens
        self.stopToken = request.stopToken
        self.sampler = TokenSampler(request.sampling)
        self.sink = sink
        self.arrival = arrival
        self.trace = trace
    }

    var prompt: ArraySlice<Int> { tokens[..<promptCount] }
    var generated: ArraySlice<Int> { tokens[promptCount...] }
    var generatedCount: Int { tokens.count - promptCount }
    /// Tokens still to run through the model before the next token can be sampled.
    var pendingCount: Int { tokens.count - computedCount }
    /// Whether it holds KV blocks (it is admitted and has not been preempted since).
    var isRunning: Bool { status == .prefilling || status == .prefillingSplit || status == .decoding }

    func append(_ token: Int) {
        tokens.append(token)
    }

    /// Forgets the cached keys and values: the next admission recomputes prompt and generated tokens.
    func preempt() {
        computedCount = 0
        preemptions += 1
        status = .pending
    }
}
