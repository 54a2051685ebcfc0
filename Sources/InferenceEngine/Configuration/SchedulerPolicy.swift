/// The order in which the scheduler offers its token budget to requests each step.
public enum SchedulerPolicy: String, Sendable, Hashable, CaseIterable {
    /// `fifo` (default): decoding requests first, then requests part-way through a chunked prefill, then waiting
    /// requests in arrival order. While fewer than 20% of the KV blocks are free it stops adding non-decoding work
    /// once something is scheduled, which protects running decodes from cache exhaustion.
    case fifo
    /// `prefill_first`: requests part-way through a chunked prefill first, then decoding requests, then waiting
    /// requests in arrival order; no safety margin. Finishes started prompts sooner at the cost of decode latency.
    case prefillFirst = "prefill_first"
}
