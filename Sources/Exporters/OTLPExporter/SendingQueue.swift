internal import GatewayCore
internal import Synchronization

/// What a sending queue may hold, in the units of the Collector's `sending_queue.sizer` (requests, items or
/// bytes), with a ceiling in bytes whatever the sizer, so that memory is bounded in bytes by default.
public struct QueueLimits: Sendable, Equatable {
    /// The unit `queue_size` counts.
    public enum Sizer: String, Sendable {
        case requests, items, bytes
    }

    public var maxRequests = Int.max
    public var maxItems = Int.max
    public var maxBytes = Int.max
    /// The configured unit and size (what `otelcol_exporter_queue_capacity` reports).
    public let sizer: Sizer
    public let size: Int

    /// `size` in `sizer`'s unit, and at most `byteCeiling` bytes (nil: none beyond `size`).
    public init(sizer: Sizer, size: Int, byteCeiling: Int? = nil) {
        self.sizer = sizer
        self.size = size
        switch sizer {
        case .requests: maxRequests = size
        case .items: maxItems = size
        case .bytes: maxBytes = size
        }
        if let byteCeiling { maxBytes = Swift.min(maxBytes, byteCeiling) }
    }

    /// At most `n` requests, and no byte bound.
    public static func requests(_ n: Int) -> QueueLimits { QueueLimits(sizer: .requests, size: n) }
}

/// Running totals of a queue against its `QueueLimits`.
struct QueueUsage: Sendable {
    var requests = 0
    var items = 0
    var bytes = 0

    /// Whether one more request of `items` and `bytes` fits. An empty queue takes any one request, so a request
    /// larger than the whole budget is sent rather than refused for ever.
    func admits(items: Int, bytes: Int, within limits: QueueLimits) -> Bool {
        if requests == 0 { return true }
        return requests + 1 <= limits.maxRequests && self.items + items <= limits.maxItems
            && self.bytes + bytes <= limits.maxBytes
    }

    func measured(in sizer: QueueLimits.Sizer) -> Int {
        switch sizer {
        case .requests: return requests
        case .items: return items
        case .bytes: return bytes
        }
    }

    mutating func add(items: Int, bytes: Int) {
        requests += 1
        self.items += items
        self.bytes += bytes
    }

    mutating func remove(items: Int, bytes: Int) {
        requests -= 1
        self.items -= items
        self.bytes -= bytes
    }
}

/// One request as it will be sent: encoded already, so the queue holds compact bytes rather than the decoded
/// model (whose strings, arrays and dictionaries take several times the space), and its size is known exactly.
struct EncodedRequest: Sendable {
    var body: [UInt8]
    var items: Int
    /// The request's own headers (set per tenant by `headers_setter`); nil sends the exporter's.
    var headers: [(String, String)]? = nil
    /// The request metadata the data came with, kept so that a request handed over to another exporter (a
    /// load balancer's backend that left) gets its tenant's headers there too.
    var metadata = ClientMetadata.empty

    /// `bytes` in an allocation of its own size: an encoder's array grows by doubling, so up to half of its
    /// capacity is unused, and a queue bounded in bytes must hold what it counts.
    static func compact(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.capacity > bytes.count + bytes.count / 8 + 64 else { return bytes }
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, initialized in
            _ = bytes.withUnsafeBufferPointer { source in buffer.initialize(from: source) }
            initialized = bytes.count
        }
    }
}

/// `sending_queue`: a bounded FIFO between the pipeline and an exporter's senders. `push` never waits: when full
/// it refuses, and the refusal travels back to the client as a retryable error (the Collector's
/// `block_on_overflow: false`), so memory stays bounded and nothing is dropped silently.
final class SendingQueue: Sendable {
    private struct State {
        var items: [EncodedRequest] = []
        var head = 0
        var waiters: [CheckedContinuation<EncodedRequest?, Never>] = []
        var closed = false
        var usage = QueueUsage()
        var count: Int { items.count - head }
    }

    private let state = Mutex(State())
    let limits: QueueLimits

    init(limits: QueueLimits) { self.limits = limits }

    /// Requests waiting.
    var count: Int { state.withLock { $0.count } }
    /// Encoded bytes waiting.
    var bytes: Int { state.withLock { $0.usage.bytes } }
    /// What is waiting, in the sizer's unit (what `otelcol_exporter_queue_size` reports against the capacity).
    var size: Int { state.withLock { $0.usage.measured(in: limits.sizer) } }

    /// Whether nothing more fits: a caller can refuse before spending an encode on a request that would not.
    var isFull: Bool {
        state.withLock { s in
            s.usage.requests > 0
                && (s.usage.requests >= limits.maxRequests || s.usage.items >= limits.maxItems
                    || s.usage.bytes >= limits.maxBytes)
        }
    }

    /// Appends, or returns false when it would pass a limit or the queue is closed.
    func push(_ item: EncodedRequest) -> Bool {
        let waiter: CheckedContinuation<EncodedRequest?, Never>? = state.withLock { s in
            guard !s.closed else { return nil }
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            return nil
        }
        if let waiter {
            waiter.resume(returning: item)
            return true
        }
        return state.withLock { s in
            guard !s.closed, s.usage.admits(items: item.items, bytes: item.body.count, within: limits) else {
                return false
            }
            s.items.append(item)
            s.usage.add(items: item.items, bytes: item.body.count)
            return true
        }
    }

    /// The next request, waiting for one; nil once closed and drained.
    func pop() async -> EncodedRequest? {
        if let item = tryPop() { return item }
        return await withCheckedContinuation { (continuation: CheckedContinuation<EncodedRequest?, Never>) in
            let immediate: (Bool, EncodedRequest?) = state.withLock { s in
                if let item = take(&s) { return (true, item) }
                if s.closed { return (true, nil) }
                s.waiters.append(continuation)
                return (false, nil)
            }
            if immediate.0 { continuation.resume(returning: immediate.1) }
        }
    }

    private func tryPop() -> EncodedRequest? {
        state.withLock { take(&$0) }
    }

    private func take(_ s: inout State) -> EncodedRequest? {
        guard s.head < s.items.count else { return nil }
        let item = s.items[s.head]
        // The slot's bytes are released now, not when the array is compacted.
        s.items[s.head] = EncodedRequest(body: [], items: 0)
        s.head += 1
        s.usage.remove(items: item.items, bytes: item.body.count)
        if s.head > 64, s.head * 2 > s.items.count {
            s.items.removeFirst(s.head)
            s.head = 0
        }
        return item
    }

    /// No more pushes; waiting consumers get nil once the queue is empty.
    func close() {
        let waiters: [CheckedContinuation<EncodedRequest?, Never>] = state.withLock { s in
            s.closed = true
            guard s.count == 0 else { return [] }
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: nil) }
    }
}
