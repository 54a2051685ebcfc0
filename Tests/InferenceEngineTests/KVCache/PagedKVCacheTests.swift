import Testing

@testable import InferenceEngine

@Suite struct PagedKVCacheTests {
    @Test func memoryIsComputedFromTheAllocation() {
        let cache = PagedKVCache(numLayers: 3, numBlocks: 10, blockSize: 8, numKVHeads: 2, headDim: 4)
        // Per block: 3 layers x (K and V) x 8 slots x 2 heads x 4 dims x 4 bytes.
        #expect(cache.bytesPerBlock == 3 * 2 * 8 * 2 * 4 * 4)
        #expect(cache.totalBytes == 10 * cache.bytesPerBlock)
        #expect(cache.freeBytes == cache.totalBytes)
        #expect(cache.usedBytes == 0)
        #expect(cache.usage == 0)

        #expect(cache.allocate(4, for: "a"))
        #expect(cache.usedBytes == 4 * cache.bytesPerBlock)
        #expect(cache.freeBytes == 6 * cache.bytesPerBlock)
        #expect(cache.usage == 0.4)
    }

    @Test func configurationReportsTheSameSize() {
        let configuration = Fixtures.configuration(model: Fixtures.model(layers: 2, hidden: 32, heads: 4, kvHeads: 2))
        let core = Fixtures.core(configuration)
        #expect(configuration.kvCacheBytes == core.cache.totalBytes)
        #expect(configuration.kvCacheBytesPerBlock == core.cache.bytesPerBlock)
    }

    @Test func allocationIsAllOrNothingAndFreeReturnsEverything() {
        let cache = PagedKVCache(numLayers: 1, numBlocks: 5, blockSize: 4, numKVHeads: 1, headDim: 2)
        #expect(cache.allocate(3, for: "a"))
        #expect(!cache.allocate(3, for: "b"), "only two blocks are free")
        #expect(cache.blockTable(for: "b").isEmpty)
        #expect(cache.freeBlockCount == 2)
        #expect(cache.allocate(2, for: "b"))
        #expect(cache.freeBlockCount == 0)
        #expect(Set(cache.blockTable(for: "a")).isDisjoint(with: cache.blockTable(for: "b")))

        #expect(cache.free("a") == 3)
        #expect(cache.free("a") == 0, "freeing twice returns nothing")
        #expect(cache.freeBlockCount == 3)
        #expect(cache.free("b") == 2)
        #expect(Set(cache.freeBlocks) == Set(0..<5))
    }

    @Test func blocksNeededRoundsUpToWholeBlocks() {
        let cache = PagedKVCache(numLayers: 1, numBlocks: 8, blockSize: 4, numKVHeads: 1, headDim: 2)
        #expect(cache.blocksNeeded(for: "a", tokenCount: 0) == 0)
        #expect(cache.blocksNeeded(for: "a", tokenCount: 1) == 1)
        #expect(cache.blocksNeeded(for: "a", tokenCount: 4) == 1)
        #expect(cache.blocksNeeded(for: "a", tokenCount: 5) == 2)
        #expect(cache.allocate(2, for: "a"))
        #expect(cache.blocksNeeded(for: "a", tokenCount: 8) == 0)
        #expect(cache.blocksNeeded(for: "a", tokenCount: 9) == 1)
    }

    @Test func rowsFollowTheBlockTable() {
        let cache = PagedKVCache(numLayers: 2, numBlocks: 6, blockSize: 4, numKVHeads: 2, headDim: 3)
        #expect(cache.allocate(1, for: "other"))
        #expect(cache.allocate(2, for: "a"))
        let table = cache.blockTable(for: "a")
        table.withUnsafeBufferPointer { table in
            for position in 0..<8 {
                let row = cache.row(of: position, in: table)
                #expect(row == Int(table[position / 4]) * 4 + position % 4)
            }
        }
        // Stored rows read back from the layer's K and V tensors, and layers do not overlap.
        let key: [Float] = [1, 2, 3, 4, 5, 6]
        let value: [Float] = [-1, -2, -3, -4, -5, -6]
        let row = table.withUnsafeBufferPointer { cache.row(of: 5, in: $0) }
        cache.store(layer: 1, row: row, key: key, value: value)
        cache.store(layer: 0, row: row, key: value, value: key)
        let storedKey = Array(UnsafeBufferPointer(start: cache.keys(layer: 1) + row * cache.rowStride, count: 6))
        let storedValue = Array(UnsafeBufferPointer(start: cache.values(layer: 1) + row * cache.rowStride, count: 6))
        #expect(storedKey == key)
        #expect(storedValue == value)
        #expect(Array(UnsafeBufferPointer(start: cache.keys(layer: 0) + row * cache.rowStride, count: 6)) == value)
    }

    @Test func freedBlocksArePoisonedWhenAsked() {
        let cache = PagedKVCache(
            numLayers: 2,
            numBlocks: 2,
            blockSize: 2,
            numKVHeads: 1,
            headDim: 2,
            poisonsFreedBlocks: true
        )
        #expect(cache.allocate(1, for: "a"))
        let row = cache.blockTable(for: "a").withUnsafeBufferPointer { cache.row(of: 1, in: $0) }
        cache.store(layer: 1, row: row, key: [1, 2], value: [3, 4])
        cache.free("a")
        #expect(cache.keys(layer: 1)[row * cache.rowStride].isNaN)
        #expect(cache.values(layer: 1)[row * cache.rowStride + 1].isNaN)

        let quiet = PagedKVCache(
            numLayers: 1,
            numBlocks: 1,
            blockSize: 2,
            numKVHeads: 1,
            headDim: 2,
            poisonsFreedBlocks: false
        )
        #expect(quiet.allocate(1, for: "a"))
        quiet.store(layer: 0, row: 0, key: [1, 2], value: [3, 4])
        quiet.free("a")
        #expect(quiet.keys(layer: 0)[0] == 1)
    }
}
