internal import Synchronization

/// `sending_queue`: a bounded FIFO between the pipeline and an exporter's senders. `push` never waits: when full
/// it refuses, and the refusal travels back to the client as a retryable error (the Collector's
/// `block_on_overflow: false`), so memory stays bounded and nothing is dropped silently.
final class SendingQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var head = 0
        var waiters: [CheckedContinuation<Item?, Never>] = []
        var closed = false
        var count: Int { items.count - head }
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { state.withLock { $0.count } }

    /// Appends, or returns false when full or closed.
    func push(_ item: Item) -> Bool {
        let waiter: CheckedContinuation<Item?, Never>? = state.withLock { s in
            guard !s.closed else { return nil }
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            return nil
        }
        if let waiter {
            waiter.resume(returning: item)
            return true
        }
        return state.withLock { s in
            guard !s.closed, s.count < capacity else { return false }
            s.items.append(item)
            return true
        }
    }

    /// The next item, waiting for one; nil once closed and drained.
    func pop() async -> Item? {
        if let item = tryPop() { return item }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
            let immediate: (Bool, Item?) = state.withLock { s in
                if s.head < s.items.count {
                    let item = s.items[s.head]
                    s.head += 1
                    compact(&s)
                    return (true, item)
                }
                if s.closed { return (true, nil) }
                s.waiters.append(continuation)
                return (false, nil)
            }
            if immediate.0 { continuation.resume(returning: immediate.1) }
        }
    }

    private func tryPop() -> Item? {
        state.withLock { s in
            guard s.head < s.items.count else { return nil }
            let item = s.items[s.head]
            s.head += 1
            compact(&s)
            return item
        }
    }

    private func compact(_ s: inout State) {
        if s.head > 64, s.head * 2 > s.items.count {
            s.items.removeFirst(s.head)
            s.head = 0
        }
    }

    /// No more pushes; waiting consumers get nil once the queue is empty.
    func close() {
        let waiters: [CheckedContinuation<Item?, Never>] = state.withLock { s in
            s.closed = true
            guard s.count == 0 else { return [] }
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: nil) }
    }
}
