/// One request's share of an engine step: tokens `start..<start + count` of its token list.
struct ScheduledChunk {
    let request: LiveRequest
    let start: Int
    let count: Int
    /// Decode: one token of a request that already produced its first token. Everything else is prefill
    /// (including the recomputation of a preempted request).
    let isDecode: Bool
    /// Whether the chunk consumes every pending token, so the step samples the request's next token.
    var producesToken: Bool { start + count == request.tokens.count }
}

/// What the scheduler decided for one step.
struct SchedulerOutput {
    var chunks: [ScheduledChunk] = []
    /// Requests preempted to free blocks, in preemption order.
    var preempted: [LiveRequest] = []
    /// Requests admitted from the waiting queue, in admission order.
    var admitted: [LiveRequest] = []
    var prefillTokens = 0
    var decodeTokens = 0
    var totalTokens: Int { prefillTokens + decodeTokens }
}

/// Continuous-batching scheduler: each step it hands out at most `maxBatchTokens` tokens to running and waiting
/// requests, splits long prefills into chunks, and when the KV cache runs out of blocks preempts the youngest
/// running request (freeing its blocks and requeueing it for recomputation) instead of failing anything.
///
/// Priority is arrival order throughout: admissions from the waiting queue are strictly first-come-first-served
/// (the head blocks the rest when it does not fit), and the victim of a preemption is the youngest request that
/// holds blocks and is not yet part of the step, so the oldest request always makes progress.
struct Scheduler {
    let policy: SchedulerPolicy
    let maxBatchTokens: Int
    /// Under `fifo`, the fraction of free blocks below which no new prefill work joins a non-empty step.
    let safetyMargin: Double

    /// Requests holding blocks, oldest first.
    private(set) var running: [LiveRequest] = []
    /// Requests waiting for admission, oldest first (preempted ones go back to their arrival position).
    private(set) var waiting: [LiveRequest] = []

    init(policy: SchedulerPolicy, maxBatchTokens: Int, safetyMargin: Double = 0.2) {
        precondition(maxBatchTokens > 0, "max_batch_tokens must be positive")
        self.policy = policy
        self.maxBatchTokens = maxBatchTokens
        self.safetyMargin = safetyMargin
    }

    var isEmpty: Bool { running.isEmpty && waiting.isEmpty }

    mutating func enqueue(_ request: LiveRequest) {
        precondition(request.status == .pending, "only pending requests can wait")
        insertSorted(request, into: &waiting)
    }

    /// Drops a request from whichever list holds it.
    mutating func remove(_ request: LiveRequest) {
        if let index = running.firstIndex(where: { $0 === request }) {
            running.remove(at: index)
        } else if let index = waiting.firstIndex(where: { $0 === request }) {
            waiting.remove(at: index)
        }
    }

    /// Plans one step and allocates the blocks it needs.
    mutating func schedule(cache: PagedKVCache) -> SchedulerOutput {
        var output = SchedulerOutput()
        var budget = maxBatchTokens
        var scheduledIDs: Set<RequestID> = []
        let marginBlocks = policy == .fifo ? safetyMargin * Double(cache.numBlocks) : 0
        func lowOnBlocks() -> Bool { Double(cache.freeBlockCount) < marginBlocks }

        // Running requests, in policy order.
        let decoding = running.filter { $0.status == .decoding }
        let splitPrefill = running.filter { $0.status != .decoding }
        let candidates = policy == .fifo ? decoding + splitPrefill : splitPrefill + decoding
        for request in candidates {
            guard budget > 0 else { break }
            guard request.isRunning else { continue }  // preempted earlier in this step
            let isDecode = request.status == .decoding
            if !isDecode && !output.chunks.isEmpty && lowOnBlocks() { continue }
            let count = isDecode ? 1 : min(request.pendingCount, budget)
            let needed = cache.blocksNeeded(for: request.id, tokenCount: request.computedCount + count)
            var selfPreempted = false
            while cache.freeBlockCount < needed {
                guard let victim = running.last(where: { !scheduledIDs.contains($0.id) }) else { break }
                preempt(victim, cache: cache, into: &output)
                if victim === request {
                    selfPreempted = true
                    break
                }
            }
            guard !selfPreempted, cache.allocate(needed, for: request.id) else { continue }
            schedule(request, count: count, isDecode: isDecode, into: &output, budget: &budget)
            scheduledIDs.insert(request.id)
        }

        // Waiting requests, strictly in order; none in a step that had to preempt.
        guard output.preempted.isEmpty else { return output }
        while budget > 0, let request = waiting.first {
            if !output.chunks.isEmpty && lowOnBlocks() { break }
            let count = min(request.pendingCount, budget)
            let needed = cache.blocksNeeded(for: request.id, tokenCount: request.computedCount + count)
            guard cache.allocate(needed, for: request.id) else { break }
            waiting.removeFirst()
            insertSorted(request, into: &running)
            output.admitted.append(request)
            schedule(request, count: count, isDecode: false, into: &output, budget: &budget)
            scheduledIDs.insert(request.id)
        }
        return output
    }

    private mutating func schedule(
        _ request: LiveRequest,
        count: Int,
        isDecode: Bool,
        into output: inout SchedulerOutput,
        budget: inout Int
    ) {
        let chunk = ScheduledChunk(request: request, start: request.computedCount, count: count, isDecode: isDecode)
        if !isDecode {
            request.status = chunk.producesToken ? .prefilling : .prefillingSplit
            output.prefillTokens += count
        } else {
            output.decodeTokens += count
        }
        output.chunks.append(chunk)
        budget -= count
    }

    private mutating func preempt(_ request: LiveRequest, cache: PagedKVCache, into output: inout SchedulerOutput) {
        cache.free(request.id)
        remove(request)
        request.preempt()
        insertSorted(request, into: &waiting)
        output.preempted.append(request)
    }

    private func insertSorted(_ request: LiveRequest, into list: inout [LiveRequest]) {
        let index = list.lastIndex(where: { $0.arrivalIndex < request.arrivalIndex }).map { $0 + 1 } ?? 0
        list.insert(request, at: index)
    }
}
