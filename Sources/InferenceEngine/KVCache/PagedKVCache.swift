/// The paged KV cache: a pool of fixed-size blocks holding the keys and values of every layer, handed out to
/// requests through per-request block tables (as vLLM's PagedAttention and transformers' continuous batching).
///
/// Each layer owns one contiguous Float32 allocation laid out `[K|V][block][slot in block][kv head][head dim]`,
/// so the physical row of a token is `blockTable[position / blockSize] * blockSize + position % blockSize`.
/// The allocations are left uninitialised: the kernel maps their pages on first write, so the process' resident
/// memory grows with the number of blocks ever used, while `totalBytes` reports the allocation itself.
///
/// Not thread-safe: the engine core owns it.
final class PagedKVCache {
    let numLayers: Int
    let numBlocks: Int
    let blockSize: Int
    let numKVHeads: Int
    let headDim: Int
    /// Floats per token row: `numKVHeads * headDim`.
    let rowStride: Int
    /// Floats per block of one tensor (K or V) of one layer.
    let blockStride: Int
    /// Offset of the V tensor inside a layer's allocation.
    let valueOffset: Int

    private let layers: [UnsafeMutablePointer<Float>]
    /// A stack: blocks freed last are reused first, so recently touched memory is reused.
    private var freeList: [Int32]
    private var tables: [RequestID: [Int32]] = [:]
    /// Whether freed blocks are overwritten with NaN, so that attention over a slot that was never written (or a
    /// recomputation that skipped a position) poisons the logits instead of silently reading stale keys and
    /// values. On in debug builds.
    let poisonsFreedBlocks: Bool

    init(
        numLayers: Int,
        numBlocks: Int,
        blockSize: Int,
        numKVHeads: Int,
        headDim: Int,
        poisonsFreedBlocks: Bool = _isDebugAssertConfiguration()
    ) {
        precondition(
            numLayers > 0 && numBlocks > 0 && blockSize > 0 && numKVHeads > 0 && headDim > 0,
            "PagedKVCache dimensions must be positive"
        )
        precondition(numBlocks <= Int(Int32.max), "PagedKVCache supports at most Int32.max blocks")
        self.numLayers = numLayers
        self.numBlocks = numBlocks
        self.blockSize = blockSize
        self.numKVHeads = numKVHeads
        self.headDim = headDim
        self.rowStride = numKVHeads * headDim
        self.blockStride = blockSize * numKVHeads * headDim
        self.valueOffset = numBlocks * blockSize * numKVHeads * headDim
        let floatsPerLayer = 2 * valueOffset
        self.layers = (0..<numLayers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: floatsPerLayer) }
        self.freeList = (0..<Int32(numBlocks)).reversed()
        self.poisonsFreedBlocks = poisonsFreedBlocks
    }

    deinit {
        for layer in layers { layer.deallocate() }
    }

    // MARK: Accounting

    /// Bytes of one block across all layers, K and V.
    var bytesPerBlock: Int { numLayers * 2 * blockStride * MemoryLayout<Float>.stride }
    /// Bytes allocated for the whole pool.
    var totalBytes: Int { bytesPerBlock * numBlocks }
    var freeBlockCount: Int { freeList.count }
    var usedBlockCount: Int { numBlocks - freeList.count }
    var usedBytes: Int { usedBlockCount * bytesPerBlock }
    var freeBytes: Int { freeBlockCount * bytesPerBlock }
    /// Used blocks as a fraction of all blocks, 0...1.
    var usage: Double { Double(usedBlockCount) / Double(numBlocks) }
    /// Tokens the pool holds in all.
    var tokenCapacity: Int { numBlocks * blockSize }

    /// The block ids on the free list (for invariant checks).
    var freeBlocks: [Int32] { freeList }
    /// Every request's block table (for invariant checks).
    var blockTables: [RequestID: [Int32]] { tables }

    // MARK: Allocation

    /// The block table of a request; empty if it holds none.
    func blockTable(for id: RequestID) -> [Int32] {
        tables[id] ?? []
    }

    /// Blocks `id` must gain to hold `tokenCount` tokens in all.
    func blocksNeeded(for id: RequestID, tokenCount: Int) -> Int {
        let needed = (tokenCount + blockSize - 1) / blockSize
        return max(0, needed - (tables[id]?.count ?? 0))
    }

    /// Appends `count` free blocks to the table of `id`; false, and nothing taken, if fewer are free.
    func allocate(_ count: Int, for id: RequestID) -> Bool {
        guard count > 0 else { return true }
        guard count <= freeList.count else { return false }
        var table = tables.removeValue(forKey: id) ?? []
        table.reserveCapacity(table.count + count)
        for _ in 0..<count { table.append(freeList.removeLast()) }
        tables[id] = table
        return true
    }

    /// Returns every block of `id` to the pool; the number returned.
    @discardableResult
    func free(_ id: RequestID) -> Int {
        guard let table = tables.removeValue(forKey: id) else { return 0 }
        if poisonsFreedBlocks {
            for block in table {
                let offset = Int(block) * blockStride
                for layer in 0..<numLayers {
                    (keys(layer: layer) + offset).update(repeating: .nan, count: blockStride)
                    (values(layer: layer) + offset).update(repeating: .nan, count: blockStride)
                }
            }
        }
        freeList.append(contentsOf: table.reversed())
        return table.count
    }

    // MARK: Storage

    /// Start of the K tensor of `layer`.
    @inline(__always)
    func keys(layer: Int) -> UnsafeMutablePointer<Float> { layers[layer] }

    /// Start of the V tensor of `layer`.
    @inline(__always)
    func values(layer: Int) -> UnsafeMutablePointer<Float> { layers[layer] + valueOffset }

    /// The physical row of `position` for a request with `blockTable`.
    @inline(__always)
    func row(of position: Int, in blockTable: UnsafeBufferPointer<Int32>) -> Int {
        Int(blockTable[position / blockSize]) * blockSize + position % blockSize
    }

    /// Stores the key and value rows (`rowStride` floats each) of one token of one layer.
    @inline(__always)
    func store(
        layer: Int,
        row: Int,
        key: UnsafePointer<Float>,
        value: UnsafePointer<Float>
    ) {
        let offset = row * rowStride
        (keys(layer: layer) + offset).update(from: key, count: rowStride)
        (values(layer: layer) + offset).update(from: value, count: rowStride)
    }
}
