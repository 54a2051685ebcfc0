/// What one engine step did, for tests and diagnostics.
struct StepReport {
    struct Chunk: Equatable {
        var id: RequestID
        var start: Int
        var count: Int
        var isDecode: Bool
    }

    var chunks: [Chunk] = []
    var admitted: [RequestID] = []
    var preempted: [RequestID] = []
    var emitted: [(id: RequestID, token: Int)] = []
    var finished: [(id: RequestID, reason: FinishReason)] = []
    var prefillTokens = 0
    var decodeTokens = 0
    var totalTokens: Int { prefillTokens + decodeTokens }
}
