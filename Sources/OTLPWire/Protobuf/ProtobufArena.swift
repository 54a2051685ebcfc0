internal import COTLPProto

/// A bump allocator for protobuf-c's unpack: every allocation of one message comes from a few large chunks and
/// is released at once by `reset()`. protobuf-c frees nothing itself when its allocator's `free` is a no-op,
/// and an OTLP request unpacks into thousands of small objects, so this is much faster than malloc/free
/// (see the protobuf-c notes in the project's protocol reference).
///
/// Not thread-safe: use one per event loop or connection.
public final class ProtobufArena {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var chunkSizes: [Int] = []
    private var current: UnsafeMutableRawPointer?
    private var offset = 0
    private var capacity = 0
    private let initialChunkSize: Int
    /// Chunks kept across resets are capped so a single huge request does not pin its memory for ever.
    private let retainLimit: Int
    /// Bytes handed out since the last reset; a decode that needs more than `limit` fails cleanly.
    public private(set) var allocatedBytes = 0
    public var limit: Int

    public init(initialChunkSize: Int = 64 * 1024, retainLimit: Int = 8 * 1024 * 1024, limit: Int = 1 << 30) {
        self.initialChunkSize = initialChunkSize
        self.retainLimit = retainLimit
        self.limit = limit
    }

    deinit {
        for chunk in chunks { free(chunk) }
    }

    func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let aligned = (size + 15) & ~15
        guard allocatedBytes + aligned <= limit else { return nil }
        if current == nil || offset + aligned > capacity {
            let chunkSize = Swift.max(aligned, Swift.max(initialChunkSize, (chunkSizes.last ?? 0) * 2))
            guard let chunk = malloc(chunkSize) else { return nil }
            chunks.append(chunk)
            chunkSizes.append(chunkSize)
            current = chunk
            offset = 0
            capacity = chunkSize
        }
        let pointer = current! + offset
        offset += aligned
        allocatedBytes += aligned
        return pointer
    }

    /// Releases everything allocated since the last reset; keeps one chunk big enough for a request like the last.
    public func reset() {
        guard !chunks.isEmpty else { return }
        let used = allocatedBytes
        allocatedBytes = 0
        if chunks.count == 1 {
            offset = 0
            return
        }
        for chunk in chunks { free(chunk) }
        chunks.removeAll(keepingCapacity: true)
        chunkSizes.removeAll(keepingCapacity: true)
        current = nil
        capacity = 0
        offset = 0
        let keep = Swift.min(retainLimit, Swift.max(initialChunkSize, used))
        if let chunk = malloc(keep) {
            chunks.append(chunk)
            chunkSizes.append(keep)
            current = chunk
            capacity = keep
        }
    }

    /// Runs `body` with a protobuf-c allocator backed by this arena, then resets the arena.
    func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws(OTLPDecodingError) -> R)
        throws(OTLPDecodingError) -> R
    {
        defer { reset() }
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                Unmanaged<ProtobufArena>.fromOpaque(data!).takeUnretainedValue().allocate(size)
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque()
        )
        return try withUnsafeMutablePointer(to: &allocator) { (p) throws(OTLPDecodingError) -> R in try body(p) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
