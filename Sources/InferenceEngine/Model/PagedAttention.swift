/// Attention of one query token over keys and values read from the paged KV cache through a block table.
///
/// For each query head `h` (kv head `h / (numHeads / numKVHeads)`), with `L = length` cached positions:
/// `output_h = sum_j softmax_j(q_h . k_j / sqrt(headDim)) * v_j`, where row `j` lives at physical row
/// `blockTable[j / blockSize] * blockSize + j % blockSize` of the layer's K and V tensors.
/// The query is the last position, so attending to every cached position is the causal mask.
enum PagedAttention {
    struct Shape {
        var numHeads: Int
        var numKVHeads: Int
        var headDim: Int
        var blockSize: Int
    }

    /// - Parameters:
    ///   - query: `numHeads * headDim` values (after rotary encoding).
    ///   - keys, values: the layer's K and V tensors, `[row][kv head][head dim]`.
    ///   - blockTable: the request's blocks; must cover `length` positions.
    ///   - scores: scratch of at least `length` floats.
    ///   - output: `numHeads * headDim` values.
    static func attend(
        query: UnsafePointer<Float>,
        keys: UnsafePointer<Float>,
        values: UnsafePointer<Float>,
        blockTable: UnsafeBufferPointer<Int32>,
        length: Int,
        shape: Shape,
        scores: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(
            length > 0 && length <= blockTable.count * shape.blockSize,
            "attention over \(length) positions needs at least \(length) cached slots"
        )
        let headDim = shape.headDim
        let rowStride = shape.numKVHeads * headDim
        let group = shape.numHeads / shape.numKVHeads
        let scale = 1 / Float(headDim).squareRoot()
        for h in 0..<shape.numHeads {
            let q = query + h * headDim
            let kvOffset = (h / group) * headDim
            // Scores block by block: inside a block the rows are contiguous.
            var position = 0
            var blockIndex = 0
            while position < length {
                let rowsHere = min(shape.blockSize, length - position)
                let base = Int(blockTable[blockIndex]) * shape.blockSize * rowStride + kvOffset
                for r in 0..<rowsHere {
                    scores[position + r] = Kernels.dot(q, keys + base + r * rowStride, count: headDim) * scale
                }
                position += rowsHere
                blockIndex += 1
            }
            Kernels.softmax(scores, count: length)
            let out = output + h * headDim
            out.update(repeating: 0, count: headDim)
            position = 0
            blockIndex = 0
            while position < length {
                let rowsHere = min(shape.blockSize, length - position)
                let base = Int(blockTable[blockIndex]) * shape.blockSize * rowStride + kvOffset
                for r in 0..<rowsHere {
                    let p = scores[position + r]
                    let v = values + base + r * rowStride
                    for d in 0..<headDim { out[d] += p * v[d] }
                }
                position += rowsHere
                blockIndex += 1
            }
        }
    }
}
