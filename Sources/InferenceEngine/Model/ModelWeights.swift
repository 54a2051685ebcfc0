/// The transformer's parameters, generated from the configuration's seed.
///
/// Matrices are row-major `[out][in]`, scaled so activations keep unit variance (uniform in `±sqrt(3 / fanIn)`);
/// norm weights start at one, as in a freshly initialised Llama.
struct ModelWeights: Sendable {
    struct Layer: Sendable {
        var attentionNorm: [Float]
        /// `[numHeads * headDim][hidden]`
        var query: [Float]
        /// `[numKVHeads * headDim][hidden]`
        var key: [Float]
        /// `[numKVHeads * headDim][hidden]`
        var value: [Float]
        /// `[hidden][numHeads * headDim]`
        var output: [Float]
        var mlpNorm: [Float]
        /// `[intermediate][hidden]`
        var up: [Float]
        /// `[hidden][intermediate]`
        var down: [Float]
    }

    /// `[vocab][hidden]`
    var embedding: [Float]
    /// `[maxSequenceLength][hidden]` with learned positions, else empty.
    var positions: [Float]
    var layers: [Layer]
    var finalNorm: [Float]
    /// `[vocab][hidden]`
    var lmHead: [Float]

    init(configuration c: ModelConfiguration) {
        var rng = SplitMix64(seed: c.seed)
        func matrix(rows: Int, columns: Int, gain: Float = 1) -> [Float] {
            let bound = gain * (3 / Float(columns)).squareRoot()
            return (0..<(rows * columns)).map { _ in (2 * rng.nextUnitFloat() - 1) * bound }
        }
        let attentionWidth = c.numHeads * c.headDim
        let kvWidth = c.numKVHeads * c.headDim
        embedding = matrix(rows: c.vocabularySize, columns: c.hiddenSize, gain: Float(c.hiddenSize).squareRoot())
        if c.positionEncoding == .learned {
            positions = matrix(
                rows: c.maxSequenceLength,
                columns: c.hiddenSize,
                gain: Float(c.hiddenSize).squareRoot() / 4
            )
        } else {
            positions = []
        }
        var layers: [Layer] = []
        for _ in 0..<c.numLayers {
            layers.append(
                Layer(
                    attentionNorm: Array(repeating: 1, count: c.hiddenSize),
                    query: matrix(rows: attentionWidth, columns: c.hiddenSize),
                    key: matrix(rows: kvWidth, columns: c.hiddenSize),
                    value: matrix(rows: kvWidth, columns: c.hiddenSize),
                    output: matrix(rows: c.hiddenSize, columns: attentionWidth),
                    mlpNorm: Array(repeating: 1, count: c.hiddenSize),
                    up: matrix(rows: c.intermediateSize, columns: c.hiddenSize),
                    down: matrix(rows: c.hiddenSize, columns: c.intermediateSize)
                )
            )
        }
        self.layers = layers
        finalNorm = Array(repeating: 1, count: c.hiddenSize)
        // A larger head gain gives peaked next-token distributions, so sampled text is not uniform noise.
        lmHead = matrix(rows: c.vocabularySize, columns: c.hiddenSize, gain: 3)
    }
}
