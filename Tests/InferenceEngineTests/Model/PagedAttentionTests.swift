import Testing

@testable import InferenceEngine

@Suite struct PagedAttentionTests {
    /// Attention over contiguous `[position][kv head][dim]` keys and values, in Double.
    static func contiguousAttention(
        query: [Float],
        keys: [Float],
        values: [Float],
        length: Int,
        numHeads: Int,
        numKVHeads: Int,
        headDim: Int
    ) -> [Float] {
        var output = [Float](repeating: 0, count: numHeads * headDim)
        let rowStride = numKVHeads * headDim
        for head in 0..<numHeads {
            let kvHead = head * numKVHeads / numHeads
            var scores = [Double](repeating: 0, count: length)
            for position in 0..<length {
                var dot = 0.0
                for d in 0..<headDim {
                    dot += Double(query[head * headDim + d]) * Double(keys[position * rowStride + kvHead * headDim + d])
                }
                scores[position] = dot / Double(headDim).squareRoot()
            }
            let maximum = scores.max()!
            let weights = scores.map { Math.exp($0 - maximum) }
            let total = weights.reduce(0, +)
            for d in 0..<headDim {
                var sum = 0.0
                for position in 0..<length {
                    sum += weights[position] / total * Double(values[position * rowStride + kvHead * headDim + d])
                }
                output[head * headDim + d] = Float(sum)
            }
        }
        return output
    }

    @Test(arguments: [(4, 4, 1), (4, 2, 7), (4, 1, 16), (2, 2, 29)])
    func pagedEqualsContiguous(numHeads: Int, numKVHeads: Int, length: Int) {
        let headDim = 8
        let blockSize = 4
        let numBlocks = 12
        var random = SplitMix64(seed: UInt64(numHeads * 100 + numKVHeads * 10 + length))
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in 2 * random.nextUnitFloat() - 1 } }
        let rowStride = numKVHeads * headDim
        let query = values(numHeads * headDim)
        let keys = values(length * rowStride)
        let valueRows = values(length * rowStride)

        // Scatter the rows into non-contiguous, out-of-order blocks, with other requests' data around them.
        let cache = PagedKVCache(
            numLayers: 1,
            numBlocks: numBlocks,
            blockSize: blockSize,
            numKVHeads: numKVHeads,
            headDim: headDim
        )
        let noise = values(numBlocks * blockSize * rowStride)
        for row in 0..<(numBlocks * blockSize) {
            noise.withUnsafeBufferPointer { n in
                cache.store(
                    layer: 0,
                    row: row,
                    key: n.baseAddress! + row * rowStride,
                    value: n.baseAddress! + row * rowStride
                )
            }
        }
        var order = Array(Int32(0)..<Int32(numBlocks))
        order.shuffle(using: &random)
        let blocksNeeded = (length + blockSize - 1) / blockSize
        var table = Array(order.prefix(blocksNeeded))
        if table.count >= 2 && table == table.sorted() { table.swapAt(0, 1) }
        #expect(table != table.sorted() || blocksNeeded < 2, "the test wants scattered blocks")
        table.withUnsafeBufferPointer { table in
            for position in 0..<length {
                let row = cache.row(of: position, in: table)
                keys.withUnsafeBufferPointer { k in
                    valueRows.withUnsafeBufferPointer { v in
                        cache.store(
                            layer: 0,
                            row: row,
                            key: k.baseAddress! + position * rowStride,
                            value: v.baseAddress! + position * rowStride
                        )
                    }
                }
            }
        }

        var output = [Float](repeating: .nan, count: numHeads * headDim)
        var scores = [Float](repeating: 0, count: length)
        query.withUnsafeBufferPointer { q in
            table.withUnsafeBufferPointer { table in
                scores.withUnsafeMutableBufferPointer { scores in
                    output.withUnsafeMutableBufferPointer { out in
                        PagedAttention.attend(
                            query: q.baseAddress!,
                            keys: cache.keys(layer: 0),
                            values: cache.values(layer: 0),
                            blockTable: table,
                            length: length,
                            shape: .init(
                                numHeads: numHeads,
                                numKVHeads: numKVHeads,
                                headDim: headDim,
                                blockSize: blockSize
                            ),
                            scores: scores.baseAddress!,
                            output: out.baseAddress!
                        )
                    }
                }
            }
        }
        let expected = Self.contiguousAttention(
            query: query,
            keys: keys,
            values: valueRows,
            length: length,
            numHeads: numHeads,
            numKVHeads: numKVHeads,
            headDim: headDim
        )
        let worst = zip(output, expected).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
