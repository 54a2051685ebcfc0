internal import FileIO
internal import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `sending_queue` with `storage`: requests kept as files in a directory, so what the gateway accepted is still
/// there after a restart or a crash and is sent then (the Collector's persistent queue; at least once).
///
/// One file per request, named by a sequence number (`0000000000000042.req`): an 8-byte header (magic `OGQ1`,
/// item count) and the encoded request body. A file is written under a temporary name and renamed, so a crash
/// leaves either the whole request or none of it (with `fsync` it also survives a power loss). A request
/// popped for sending is deleted only when `complete` is called, after the destination answered or the
/// request was given up; requests in flight at shutdown stay for the next start. On open, leftover temporary
/// files are removed and files that do not parse are moved aside to `corrupt/` and counted.
public final class FileQueue: Sendable {
    struct Entry: Sendable {
        let sequence: UInt64
        let body: [UInt8]
        let items: Int
    }

    /// Why the directory cannot hold a queue, for the start-up error.
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    private struct State {
        /// Sequence numbers on disk and not in flight, oldest first.
        var pending: [UInt64] = []
        var head = 0
        var inFlight = 0
        var next: UInt64 = 1
        var waiters: [CheckedContinuation<Entry?, Never>] = []
        var closed = false
        /// What is on disk (waiting or in flight), against `limits`.
        var usage = QueueUsage()
        /// Items and bytes of each request on disk, to take them off `usage` when it goes.
        var weights: [UInt64: (items: Int, bytes: Int)] = [:]
        var count: Int { pending.count - head }
    }

    public let directory: String
    /// `sending_queue.sizer` and `queue_size` (requests, items or bytes on disk).
    public let limits: QueueLimits
    public let fsync: Bool
    /// Requests found on disk when the queue was opened (left by an earlier run).
    public let recovered: Int
    /// Files found on disk that could not be read as requests, moved to `corrupt/`.
    public let corrupt: Int
    private let state: Mutex<State>

    static let magic: [UInt8] = Array("OGQ1".utf8)

    /// Opens (or creates, when `create` is true) `directory` and indexes the requests already in it.
    public init(directory: String, limits: QueueLimits, fsync: Bool, create: Bool) throws(OpenError) {
        self.directory = directory
        self.limits = limits
        self.fsync = fsync
        try Self.ensureDirectory(directory, create: create)
        var sequences: [UInt64] = []
        var weights: [UInt64: (items: Int, bytes: Int)] = [:]
        var corrupt = 0
        for name in Self.list(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp") {
                unlink(path)
                continue
            }
            guard name.hasSuffix(".req"), let sequence = UInt64(name.dropLast(4)) else { continue }
            guard let entry = Self.readEntry(path, sequence: sequence) else {
                try Self.ensureDirectory(directory + "/corrupt", create: true)
                rename(path, directory + "/corrupt/" + name)
                corrupt += 1
                continue
            }
            sequences.append(sequence)
            weights[sequence] = (entry.items, entry.body.count)
        }
        sequences.sort()
        var initial = State()
        // What an earlier run left counts against the limits, whatever they are now.
        for (_, weight) in weights { initial.usage.add(items: weight.items, bytes: weight.bytes) }
        initial.weights = weights
        initial.pending = sequences
        initial.next = (sequences.last ?? 0) + 1
        state = Mutex(initial)
        recovered = sequences.count
        self.corrupt = corrupt
    }

    /// Requests waiting or in flight: what the queue holds on disk.
    var count: Int { state.withLock { $0.count + $0.inFlight } }
    /// What the queue holds on disk, in the sizer's unit.
    var size: Int { state.withLock { $0.usage.measured(in: limits.sizer) } }

    /// Writes a request and queues it; false when the queue is full or closed, or the write failed (disk full:
    /// the caller refuses the data, so the client retries, rather than losing it).
    func push(body: [UInt8], items: Int) -> Bool {
        let sequence: UInt64? = state.withLock { s in
            guard !s.closed, s.usage.admits(items: items, bytes: body.count, within: limits) else { return nil }
            // Reserved now, so concurrent pushes cannot pass the limits together.
            s.usage.add(items: items, bytes: body.count)
            defer { s.next += 1 }
            s.weights[s.next] = (items, body.count)
            return s.next
        }
        guard let sequence else { return false }
        guard write(body: body, items: items, sequence: sequence) else {
            state.withLock { s in
                if let w = s.weights.removeValue(forKey: sequence) { s.usage.remove(items: w.items, bytes: w.bytes) }
            }
            return false
        }
        let waiter: CheckedContinuation<Entry?, Never>? = state.withLock { s in
            if !s.waiters.isEmpty {
                s.inFlight += 1
                return s.waiters.removeFirst()
            }
            // Sequence numbers are taken in order but written concurrently: keep `pending` sorted.
            if let last = s.pending.last, last > sequence {
                let index = s.pending[s.head...].firstIndex { $0 > sequence } ?? s.pending.endIndex
                s.pending.insert(sequence, at: index)
            } else {
                s.pending.append(sequence)
            }
            return nil
        }
        waiter?.resume(returning: Entry(sequence: sequence, body: body, items: items))
        return true
    }

    /// The oldest request not in flight, waiting for one; nil once closed. A request left in the queue at
    /// close stays on disk for the next start.
    func pop() async -> Entry? {
        enum Next {
            case sequence(UInt64)
            case closed
            case wait
        }
        while true {
            let next: Next = state.withLock { s in
                if s.closed { return .closed }
                guard let sequence = Self.takeNext(&s) else { return .wait }
                return .sequence(sequence)
            }
            switch next {
            case .sequence(let sequence):
                if let entry = Self.readEntry(path(sequence), sequence: sequence) { return entry }
                // Deleted or damaged since it was indexed: skip it.
                state.withLock { $0.inFlight -= 1 }
            case .closed:
                return nil
            case .wait:
                // A push hands its entry straight over; close (or a race with a push) wakes us with nil to look again.
                let handed: Entry? = await withCheckedContinuation {
                    (continuation: CheckedContinuation<Entry?, Never>) in
                    let lookAgain: Bool = state.withLock { s in
                        if s.closed || s.head < s.pending.count { return true }
                        s.waiters.append(continuation)
                        return false
                    }
                    if lookAgain { continuation.resume(returning: nil) }
                }
                if let handed { return handed }
            }
        }
    }

    /// The oldest request not in flight, without waiting: nil when there is none or the queue is closed. A queue
    /// handed over (a load balancer's backend that left) gives its waiting requests away this way before it closes.
    func popNow() -> Entry? {
        while let sequence = state.withLock({ s in s.closed ? nil : Self.takeNext(&s) }) {
            if let entry = Self.readEntry(path(sequence), sequence: sequence) { return entry }
            state.withLock { $0.inFlight -= 1 }
        }
        return nil
    }

    /// Marks the oldest waiting request in flight and returns its sequence number.
    private static func takeNext(_ s: inout State) -> UInt64? {
        guard s.head < s.pending.count else { return nil }
        let sequence = s.pending[s.head]
        s.head += 1
        s.inFlight += 1
        if s.head > 64, s.head * 2 > s.pending.count {
            s.pending.removeFirst(s.head)
            s.head = 0
        }
        return sequence
    }

    /// The request was delivered, refused for good or given up: its file goes.
    func complete(_ entry: Entry) {
        unlink(path(entry.sequence))
        state.withLock { s in
            s.inFlight -= 1
            if let w = s.weights.removeValue(forKey: entry.sequence) { s.usage.remove(items: w.items, bytes: w.bytes) }
        }
    }

    /// The request stays on disk for the next start (shutdown interrupted it).
    func keep(_ entry: Entry) {
        state.withLock { $0.inFlight -= 1 }
    }

    /// No more pushes or pops of waiting requests: senders waiting get nil. What is on disk stays there.
    func close() {
        let waiters: [CheckedContinuation<Entry?, Never>] = state.withLock { s in
            s.closed = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    // MARK: Files

    private func path(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return directory + "/" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".req"
    }

    private func write(body: [UInt8], items: Int, sequence: UInt64) -> Bool {
        let final = path(sequence)
        let temporary = final + ".tmp"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return false }
        var header = Self.magic
        withUnsafeBytes(of: UInt32(clamping: items).littleEndian) { header.append(contentsOf: $0) }
        let ok = Self.writeAll(fd, header) && Self.writeAll(fd, body) && (!fsync || Glibc.fsync(fd) == 0)
        Glibc.close(fd)
        guard ok, rename(temporary, final) == 0 else {
            unlink(temporary)
            return false
        }
        if fsync { Self.syncDirectory(directory) }
        return true
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    static func readEntry(_ path: String, sequence: UInt64) -> Entry? {
        guard case .success(let bytes) = WholeFile.read(path) else { return nil }
        guard bytes.count >= 8, Array(bytes[0..<4]) == magic else { return nil }
        let items = Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
        return Entry(sequence: sequence, body: Array(bytes[8...]), items: items)
    }

    /// Checks that `path` is a writable directory, creating it (and its parents) when `create` is true.
    public static func ensureDirectory(_ path: String, create: Bool) throws(OpenError) {
        do {
            try Directory.ensure(path, create: create)
        } catch {
            throw OpenError(description: error.description)
        }
    }

    private static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func syncDirectory(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = Glibc.fsync(fd)
        Glibc.close(fd)
    }
}
