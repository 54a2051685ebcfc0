/// Shape and seed of the decoder-only transformer the engine runs on the CPU.
///
/// The weights are generated from `seed`, so the output text is meaningless, but the compute and the KV-cache
/// memory are real and grow with the load. The defaults are tiny so a laptop core serves a few requests per second.
public struct ModelConfiguration: Sendable, Hashable {
    /// How token positions enter the model.
    public enum PositionEncoding: Sendable, Hashable {
        /// Rotary embeddings applied to queries and keys, with the given frequency base (Llama uses 10 000).
        case rotary(base: Double)
        /// A learned (here: seeded random) table of `maxSequenceLength` position vectors added to the embeddings.
        case learned
    }

    /// `num_layers`: decoder layers. Default 2.
    public var numLayers: Int
    /// `hidden_size`: width of the residual stream. Default 64.
    public var hiddenSize: Int
    /// `num_heads`: attention (query) heads; must divide `hiddenSize`. Default 4.
    public var numHeads: Int
    /// `num_kv_heads`: key/value heads (grouped-query attention when fewer than `numHeads`); must divide `numHeads`.
    /// Default 4.
    public var numKVHeads: Int
    /// `intermediate_size`: width of the MLP. Default 256 (4 x hidden).
    public var intermediateSize: Int
    /// `vocab_size`: token ids are `0..<vocabularySize`. Default 256.
    public var vocabularySize: Int
    /// `max_sequence_length`: the longest prompt + output a request may have. Default 2048.
    public var maxSequenceLength: Int
    /// `position_encoding`: default rotary with base 10 000.
    public var positionEncoding: PositionEncoding
    /// `seed`: the weights are a pure function of it. Default 42.
    public var seed: UInt64
    /// RMSNorm epsilon. Default 1e-5.
    public var normEpsilon: Float

    public init(
        numLayers: Int = 2,
        hiddenSize: Int = 64,
        numHeads: Int = 4,
        numKVHeads: Int = 4,
        intermediateSize: Int = 256,
        vocabularySize: Int = 256,
        maxSequenceLength: Int = 2048,
        positionEncoding: PositionEncoding = .rotary(base: 10_000),
        seed: UInt64 = 42,
        normEpsilon: Float = 1e-5
    ) {
        self.numLayers = numLayers
        self.hiddenSize = hiddenSize
        self.numHeads = numHeads
        self.numKVHeads = numKVHeads
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.maxSequenceLength = maxSequenceLength
        self.positionEncoding = positionEncoding
        self.seed = seed
        self.normEpsilon = normEpsilon
    }

    /// Width of one attention head.
    public var headDim: Int { hiddenSize / max(numHeads, 1) }

    /// Number of weights (parameters) the model holds.
    public var parameterCount: Int {
        let attention = hiddenSize * headDim * (2 * numHeads + 2 * numKVHeads)
        let mlp = 2 * hiddenSize * intermediateSize
        let perLayer = attention + mlp + 2 * hiddenSize
        let positions = positionEncoding == .learned ? maxSequenceLength * hiddenSize : 0
        return numLayers * perLayer + 2 * vocabularySize * hiddenSize + hiddenSize + positions
    }

    /// Checks the shape; the gateway calls this when it loads its configuration.
    public func validate() throws(EngineError) {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(EngineError) {
            if !condition { throw EngineError(code: .invalidConfiguration, message: message()) }
        }
        try require(numLayers >= 1, "model.num_layers must be at least 1 (got \(numLayers))")
        try require(hiddenSize >= 1, "model.hidden_size must be at least 1 (got \(hiddenSize))")
        try require(numHeads >= 1, "model.num_heads must be at least 1 (got \(numHeads))")
        try require(
            hiddenSize % numHeads == 0,
            "model.hidden_size (\(hiddenSize)) must be a multiple of model.num_heads (\(numHeads))"
        )
        try require(
            numKVHeads >= 1 && numHeads % numKVHeads == 0,
            "model.num_kv_heads (\(numKVHeads)) must divide model.num_heads (\(numHeads))"
        )
        try require(intermediateSize >= 1, "model.intermediate_size must be at least 1 (got \(intermediateSize))")
        try require(vocabularySize >= 2, "model.vocab_size must be at least 2 (got \(vocabularySize))")
        try require(maxSequenceLength >= 2, "model.max_sequence_length must be at least 2 (got \(maxSequenceLength))")
        try require(normEpsilon > 0, "model.norm_epsilon must be positive")
        if case .rotary(let base) = positionEncoding {
            try require(headDim % 2 == 0, "rotary position encoding needs an even head dimension (got \(headDim))")
            try require(base > 1, "rotary base must be greater than 1 (got \(base))")
        }
    }
}
