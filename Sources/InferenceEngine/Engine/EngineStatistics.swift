/// A snapshot of the engine's state.
public struct EngineStatistics: Sendable, Hashable {
    /// Requests holding KV blocks.
    public var runningRequests: Int
    /// Requests waiting for admission, preempted ones included.
    public var waitingRequests: Int
    public var totalBlocks: Int
    public var freeBlocks: Int
    /// Bytes the KV cache allocates.
    public var kvCacheBytes: Int
    /// Bytes of blocks held by requests.
    public var kvCacheUsedBytes: Int
    /// Engine steps run so far.
    public var steps: Int
    /// Tokens processed (prefill and decode) so far.
    public var processedTokens: Int
    /// Tokens generated so far.
    public var generatedTokens: Int
    public var preemptions: Int
    /// Requests ended so far.
    public var finishedRequests: Int

    /// Fraction of blocks in use, 0...1.
    public var kvCacheUsage: Double {
        totalBlocks == 0 ? 0 : Double(totalBlocks - freeBlocks) / Double(totalBlocks)
    }
}
