/// Picks the next token from a request's logits; holds the request's seeded generator, so sampling is
/// reproducible and survives preemption (no token is ever sampled twice).
struct TokenSampler: Sendable {
    private let temperature: Float
    private var generator: SplitMix64

    init(_ strategy: SamplingStrategy) {
        switch strategy {
        case .greedy:
            temperature = 0
            generator = SplitMix64(seed: 0)
        case .temperature(let t, let seed):
            temperature = t
            generator = SplitMix64(seed: seed)
        }
    }

    /// The chosen token, or nil when the logits are not finite.
    mutating func sample(_ logits: UnsafeMutablePointer<Float>, count: Int) -> Int? {
        var best = 0
        var maximum = logits[0]
        for i in 0..<count {
            guard logits[i].isFinite else { return nil }
            if logits[i] > maximum {
                maximum = logits[i]
                best = i
            }
        }
        guard temperature > 0 else { return best }
        let inverse = 1 / temperature
        var sum: Float = 0
        for i in 0..<count {
            let weight = Math.exp((logits[i] - maximum) * inverse)
            logits[i] = weight
            sum += weight
        }
        let target = generator.nextUnitFloat() * sum
        var cumulative: Float = 0
        for i in 0..<count {
            cumulative += logits[i]
            if target < cumulative { return i }
        }
        // Rounding can leave `target` a hair above the final sum.
        return best
    }
}
