import Testing

@testable import InferenceEngine

@Suite struct TransformerModelTests {
    /// The whole model over `tokens` with contiguous keys and values, written independently of the engine's
    /// kernels; the logits after the last token.
    static func referenceLogits(_ c: ModelConfiguration, _ w: ModelWeights, tokens: [Int]) -> [Float] {
        let hidden = c.hiddenSize
        let headDim = c.headDim
        func matVec(_ m: [Float], _ x: [Float], rows: Int) -> [Float] {
            (0..<rows).map { r in
                var sum: Float = 0
                for i in 0..<x.count { sum += m[r * x.count + i] * x[i] }
                return sum
            }
        }
        func norm(_ x: [Float], _ weight: [Float]) -> [Float] {
            let rms = (x.map { $0 * $0 }.reduce(0, +) / Float(x.count) + c.normEpsilon).squareRoot()
            return x.indices.map { x[$0] / rms * weight[$0] }
        }
        func rotate(_ x: [Float], heads: Int, position: Int) -> [Float] {
            guard case .rotary(let base) = c.positionEncoding else { return x }
            var out = x
            for h in 0..<heads {
                for i in 0..<(headDim / 2) {
                    let angle = Double(position) / Math.pow(base, Double(2 * i) / Double(headDim))
                    let (cosine, sine) = (Float(Math.cos(angle)), Float(Math.sin(angle)))
                    let (a, b) = (x[h * headDim + 2 * i], x[h * headDim + 2 * i + 1])
                    out[h * headDim + 2 * i] = a * cosine - b * sine
                    out[h * headDim + 2 * i + 1] = a * sine + b * cosine
                }
            }
            return out
        }
        var keys = [[[Float]]](repeating: [], count: c.numLayers)  // [layer][position][kv values]
        var values = keys
        var x = [Float]()
        for (position, token) in tokens.enumerated() {
            x = Array(w.embedding[(token * hidden)..<((token + 1) * hidden)])
            if c.positionEncoding == .learned {
                for i in 0..<hidden { x[i] += w.positions[position * hidden + i] }
            }
            for (l, layer) in w.layers.enumerated() {
                let h = norm(x, layer.attentionNorm)
                let q = rotate(
                    matVec(layer.query, h, rows: c.numHeads * headDim),
                    heads: c.numHeads,
                    position: position
                )
                keys[l].append(
                    rotate(matVec(layer.key, h, rows: c.numKVHeads * headDim), heads: c.numKVHeads, position: position)
                )
                values[l].append(matVec(layer.value, h, rows: c.numKVHeads * headDim))
                var attention = [Float](repeating: 0, count: c.numHeads * headDim)
                for head in 0..<c.numHeads {
                    let kv = head / (c.numHeads / c.numKVHeads)
                    let scores = keys[l].map { k in
                        (0..<headDim).map { q[head * headDim + $0] * k[kv * headDim + $0] }.reduce(0, +)
                            / Float(headDim).squareRoot()
                    }
                    let maximum = scores.max()!
                    let e = scores.map { Math.exp($0 - maximum) }
                    let total = e.reduce(0, +)
                    for d in 0..<headDim {
                        attention[head * headDim + d] = values[l].indices.map {
                            e[$0] / total * values[l][$0][kv * headDim + d]
                        }.reduce(0, +)
                    }
                }
                let projected = matVec(layer.output, attention, rows: hidden)
                for i in 0..<hidden { x[i] += projected[i] }
                let up = matVec(layer.up, norm(x, layer.mlpNorm), rows: c.intermediateSize).map {
                    $0 / (1 + Math.exp(-$0))
                }
                let down = matVec(layer.down, up, rows: hidden)
                for i in 0..<hidden { x[i] += down[i] }
            }
        }
        return matVec(w.lmHead, norm(x, w.finalNorm), rows: c.vocabularySize)
    }

    @Test(arguments: [
        Fixtures.model(layers: 2, hidden: 16, heads: 4, kvHeads: 2),
        Fixtures.model(layers: 1, hidden: 24, heads: 3, kvHeads: 3, positions: .learned),
        Fixtures.model(layers: 2, hidden: 32, heads: 4, kvHeads: 1, vocabulary: 64),
    ])
    func chunkedPagedForwardMatchesContiguousReference(configuration: ModelConfiguration) {
        let blockSize = 4
        let model = TransformerModel(configuration: configuration, blockSize: blockSize)
        let cache = PagedKVCache(
            numLayers: configuration.numLayers,
            numBlocks: 16,
            blockSize: blockSize,
            numKVHeads: configuration.numKVHeads,
            headDim: configuration.headDim
        )
        let tokens = Fixtures.prompt(length: 23, vocabulary: configuration.vocabularySize, seed: 3)
        // Interleave another request's blocks so the table is not contiguous.
        var position = 0
        var logits = [Float](repeating: .nan, count: configuration.vocabularySize)
        for chunk in [5, 1, 9, 3, 5] {
            _ = cache.allocate(1, for: "neighbour")
            _ = cache.allocate(cache.blocksNeeded(for: "x", tokenCount: position + chunk), for: "x")
            logits.withUnsafeMutableBufferPointer { out in
                model.forward(
                    tokens: tokens[position..<(position + chunk)],
                    startPosition: position,
                    blockTable: cache.blockTable(for: "x"),
                    cache: cache,
                    logits: out.baseAddress!
                )
            }
            position += chunk
        }
        let table = cache.blockTable(for: "x")
        #expect(table != Array(table.sorted().first!...table.sorted().last!), "blocks should be scattered")

        let expected = Self.referenceLogits(configuration, model.weights, tokens: tokens)
        let worst = zip(logits, expected).map { abs($0 - $1) }.max()!
        let scale = expected.map(abs).max()!
        #expect(worst <= 1e-5 * max(1, scale), "largest logit difference \(worst) (largest logit \(scale))")
    }

    @Test func weightsArePureFunctionsOfTheSeed() {
        let a = ModelWeights(configuration: Fixtures.model(seed: 11))
        let b = ModelWeights(configuration: Fixtures.model(seed: 11))
        let c = ModelWeights(configuration: Fixtures.model(seed: 12))
        #expect(a.embedding == b.embedding)
        #expect(a.layers.map(\.query) == b.layers.map(\.query))
        #expect(a.lmHead == b.lmHead)
        #expect(a.embedding != c.embedding)
        #expect(a.lmHead != c.lmHead)
    }

    @Test func parameterCountMatchesTheWeights() {
        for configuration in [
            Fixtures.model(layers: 2, hidden: 16, heads: 4, kvHeads: 2), Fixtures.model(positions: .learned),
        ] {
            let w = ModelWeights(configuration: configuration)
            let layers = w.layers.reduce(0) {
                $0 + $1.attentionNorm.count + $1.query.count + $1.key.count + $1.value.count + $1.output.count
                    + $1.mlpNorm.count + $1.up.count + $1.down.count
            }
            let total = layers + w.embedding.count + w.positions.count + w.finalNorm.count + w.lmHead.count
            #expect(configuration.parameterCount == total)
        }
    }
}
