import GatewayCore

/// A ring-buffer deque of trace ids in arrival order: O(1) amortized push at either end and pop at the front.
struct TraceIDQueue {
    private var storage: [TraceID] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    var first: TraceID? { count == 0 ? nil : storage[head] }

    mutating func append(_ id: TraceID) {
        growIfFull()
        storage[(head + count) % storage.count] = id
        count += 1
    }

    mutating func prepend(_ id: TraceID) {
        growIfFull()
        head = (head + storage.count - 1) % storage.count
        storage[head] = id
        count += 1
    }

    mutating func popFirst() -> TraceID? {
        guard count > 0 else { return nil }
        let id = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        if count == 0 { head = 0 }
        return id
    }

    /// The ids front to back (for tests and debugging).
    var elements: [TraceID] { (0..<count).map { storage[(head + $0) % storage.count] } }

    private mutating func growIfFull() {
        guard count == storage.count else { return }
        // Unroll into a larger array with the front at index 0.
        var grown = elements
        let capacity = Swift.max(16, storage.count * 2)
        grown.append(contentsOf: repeatElement(TraceID.invalid, count: capacity - count))
        storage = grown
        head = 0
    }
}
