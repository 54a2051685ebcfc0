/// A small decoder-only transformer (Llama-shaped: RMSNorm, multi-head or grouped-query attention with rotary or
/// learned positions, a SiLU MLP, an LM head) that runs on the CPU and keeps its keys and values in the paged
/// KV cache.
///
/// Tokens are processed one at a time in position order; for causal attention that is exactly the result of
/// processing a chunk at once, and it makes a recomputed prefill bit-identical to the original one.
///
/// Not thread-safe (it owns scratch buffers): the engine core owns it.
final class TransformerModel {
    let configuration: ModelConfiguration
    let weights: ModelWeights

    private struct LayerPointers {
        var attentionNorm: UnsafeMutablePointer<Float>
        var query: UnsafeMutablePointer<Float>
        var key: UnsafeMutablePointer<Float>
        var value: UnsafeMutablePointer<Float>
        var output: UnsafeMutablePointer<Float>
        var mlpNorm: UnsafeMutablePointer<Float>
        var up: UnsafeMutablePointer<Float>
        var down: UnsafeMutablePointer<Float>
    }

    // Weights copied into stable allocations, so the hot loops need no array accessors.
    private let embedding: UnsafeMutablePointer<Float>
    private let positions: UnsafeMutablePointer<Float>?
    private let layers: [LayerPointers]
    private let finalNorm: UnsafeMutablePointer<Float>
    private let lmHead: UnsafeMutablePointer<Float>
    private var owned: [UnsafeMutablePointer<Float>] = []

    private let inverseFrequencies: [Double]
    private let attentionShape: PagedAttention.Shape

    // Scratch.
    private let residual: UnsafeMutablePointer<Float>
    private let normed: UnsafeMutablePointer<Float>
    private let query: UnsafeMutablePointer<Float>
    private let key: UnsafeMutablePointer<Float>
    private let value: UnsafeMutablePointer<Float>
    private let attention: UnsafeMutablePointer<Float>
    private let hidden: UnsafeMutablePointer<Float>
    private let scores: UnsafeMutablePointer<Float>
    private let rotaryCos: UnsafeMutablePointer<Float>
    private let rotarySin: UnsafeMutablePointer<Float>

    init(configuration: ModelConfiguration, blockSize: Int) {
        precondition((try? configuration.validate()) != nil, "TransformerModel needs a valid ModelConfiguration")
        self.configuration = configuration
        let weights = ModelWeights(configuration: configuration)
        self.weights = weights

        var owned: [UnsafeMutablePointer<Float>] = []
        func copy(_ array: [Float]) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(array.count, 1))
            array.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress { pointer.initialize(from: base, count: buffer.count) }
            }
            owned.append(pointer)
            return pointer
        }
        func scratch(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            owned.append(pointer)
            return pointer
        }

        embedding = copy(weights.embedding)
        positions = weights.positions.isEmpty ? nil : copy(weights.positions)
        layers = weights.layers.map { layer in
            LayerPointers(
                attentionNorm: copy(layer.attentionNorm),
                query: copy(layer.query),
                key: copy(layer.key),
                value: copy(layer.value),
                output: copy(layer.output),
                mlpNorm: copy(layer.mlpNorm),
                up: copy(layer.up),
                down: copy(layer.down)
            )
        }
        finalNorm = copy(weights.finalNorm)
        lmHead = copy(weights.lmHead)

        let c = configuration
        residual = scratch(c.hiddenSize)
        normed = scratch(c.hiddenSize)
        query = scratch(c.numHeads * c.headDim)
        key = scratch(c.numKVHeads * c.headDim)
        value = scratch(c.numKVHeads * c.headDim)
        attention = scratch(c.numHeads * c.headDim)
        hidden = scratch(c.intermediateSize)
        scores = scratch(c.maxSequenceLength)
        rotaryCos = scratch(c.headDim / 2)
        rotarySin = scratch(c.headDim / 2)
        self.owned = owned

        if case .rotary(let base) = c.positionEncoding {
            inverseFrequencies = (0..<(c.headDim / 2)).map { i in 1 / Math.pow(base, Double(2 * i) / Double(c.headDim))
            }
        } else {
            inverseFrequencies = []
        }
        attentionShape = PagedAttention.Shape(
            numHeads: c.numHeads,
            numKVHeads: c.numKVHeads,
            headDim: c.headDim,
            blockSize: blockSize
        )
    }

    deinit {
        for pointer in owned { pointer.deallocate() }
    }

    var vocabularySize: Int { configuration.vocabularySize }

    /// Runs `tokens` at positions `startPosition..<startPosition + tokens.count`, storing their keys and values in
    /// `cache` through `blockTable` (which must already cover every position), and writes the logits of the last
    /// token to `logits` (`vocabularySize` floats) when given.
    func forward(
        tokens: ArraySlice<Int>,
        startPosition: Int,
        blockTable: [Int32],
        cache: PagedKVCache,
        logits: UnsafeMutablePointer<Float>?
    ) {
        precondition(cache.blockSize == attentionShape.blockSize, "the KV cache's block size differs from the model's")
        precondition(
            startPosition + tokens.count <= configuration.maxSequenceLength,
            "position \(startPosition + tokens.count) exceeds max_sequence_length"
        )
        blockTable.withUnsafeBufferPointer { table in
            var position = startPosition
            for token in tokens {
                forwardToken(token, position: position, table: table, cache: cache)
                position += 1
            }
        }
        if let logits {
            let c = configuration
            Kernels.rmsNorm(residual, weight: finalNorm, count: c.hiddenSize, epsilon: c.normEpsilon, output: normed)
            Kernels.matVec(lmHead, rows: c.vocabularySize, columns: c.hiddenSize, input: normed, output: logits)
        }
    }

    private func forwardToken(_ token: Int, position: Int, table: UnsafeBufferPointer<Int32>, cache: PagedKVCache) {
        let c = configuration
        let hiddenSize = c.hiddenSize
        let attentionWidth = c.numHeads * c.headDim
        let kvWidth = c.numKVHeads * c.headDim

        residual.update(from: embedding + token * hiddenSize, count: hiddenSize)
        if let positions {
            let row = positions + position * hiddenSize
            for i in 0..<hiddenSize { residual[i] += row[i] }
        }
        let rotary = !inverseFrequencies.isEmpty
        if rotary {
            for i in 0..<inverseFrequencies.count {
                let angle = Double(position) * inverseFrequencies[i]
                rotaryCos[i] = Float(Math.cos(angle))
                rotarySin[i] = Float(Math.sin(angle))
            }
        }
        let row = cache.row(of: position, in: table)

        for (index, layer) in layers.enumerated() {
            // Attention block.
            Kernels.rmsNorm(
                residual,
                weight: layer.attentionNorm,
                count: hiddenSize,
                epsilon: c.normEpsilon,
                output: normed
            )
            Kernels.matVec(layer.query, rows: attentionWidth, columns: hiddenSize, input: normed, output: query)
            Kernels.matVec(layer.key, rows: kvWidth, columns: hiddenSize, input: normed, output: key)
            Kernels.matVec(layer.value, rows: kvWidth, columns: hiddenSize, input: normed, output: value)
            if rotary {
                Kernels.applyRotary(query, heads: c.numHeads, headDim: c.headDim, cos: rotaryCos, sin: rotarySin)
                Kernels.applyRotary(key, heads: c.numKVHeads, headDim: c.headDim, cos: rotaryCos, sin: rotarySin)
            }
            cache.store(layer: index, row: row, key: key, value: value)
            PagedAttention.attend(
                query: query,
                keys: cache.keys(layer: index),
                values: cache.values(layer: index),
                blockTable: table,
                length: position + 1,
                shape: attentionShape,
                scores: scores,
                output: attention
            )
            Kernels.matVecAdd(
                layer.output,
                rows: hiddenSize,
                columns: attentionWidth,
                input: attention,
                output: residual
            )

            // MLP block.
            Kernels.rmsNorm(residual, weight: layer.mlpNorm, count: hiddenSize, epsilon: c.normEpsilon, output: normed)
            Kernels.matVec(layer.up, rows: c.intermediateSize, columns: hiddenSize, input: normed, output: hidden)
            Kernels.silu(hidden, count: c.intermediateSize)
            Kernels.matVecAdd(
                layer.down,
                rows: hiddenSize,
                columns: c.intermediateSize,
                input: hidden,
                output: residual
            )
        }
    }
}
