/// A bounded FIFO of encoded requests for one sender. Full: the oldest request is dropped (and reported), so the
/// freshest state gets through and memory stays bounded; order among what remains is kept.
actor ShardQueue {
    private var items: [RemoteWriteEncoder.Request] = []
    private var head = 0
    private var waiter: CheckedContinuation<RemoteWriteEncoder.Request?, Never>?
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { items.count - head }

    /// Appends; returns the requests dropped to make room.
    func push(_ request: RemoteWriteEncoder.Request) -> [RemoteWriteEncoder.Request] {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: request)
            return []
        }
        var dropped: [RemoteWriteEncoder.Request] = []
        while count >= capacity {
            dropped.append(items[head])
            head += 1
        }
        items.append(request)
        compact()
        return dropped
    }

    /// The next request, waiting for one; nil once closed and empty.
    func pop() async -> RemoteWriteEncoder.Request? {
        if head < items.count {
            let item = items[head]
            head += 1
            compact()
            return item
        }
        if closed { return nil }
        return await withCheckedContinuation { continuation in waiter = continuation }
    }

    func close() {
        closed = true
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: nil)
        }
    }

    private func compact() {
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
    }
}
