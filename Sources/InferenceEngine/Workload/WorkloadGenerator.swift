/// Synthetic serving traffic: Poisson arrivals (exponential gaps with mean `1 / requestsPerSecond`) and
/// log-normal prompt and output lengths, all drawn from one seeded generator so a run can be repeated exactly.
public struct WorkloadGenerator: Sendable {
    public let configuration: WorkloadConfiguration
    /// Token ids are drawn from `0..<vocabularySize`, never equal to the stop token.
    public let vocabularySize: Int
    /// Prompt plus output never exceed this.
    public let maxTotalTokens: Int
    private var random: SplitMix64

    public init(configuration: WorkloadConfiguration, vocabularySize: Int, maxTotalTokens: Int) {
        precondition(vocabularySize >= 2, "the workload needs at least two token ids")
        precondition(maxTotalTokens >= 2, "the workload needs room for a prompt token and an output token")
        self.configuration = configuration
        self.vocabularySize = vocabularySize
        self.maxTotalTokens = maxTotalTokens
        self.random = SplitMix64(seed: configuration.seed)
    }

    /// A generator for the workload section of an engine configuration, sized to its model and KV cache.
    public init(engineConfiguration c: EngineConfiguration) {
        self.init(
            configuration: c.workload,
            vocabularySize: c.model.vocabularySize,
            maxTotalTokens: min(c.model.maxSequenceLength, c.kvCacheTokenCapacity)
        )
    }

    /// Time from one arrival to the next; `.zero` when the rate is not positive.
    public mutating func nextInterarrival() -> Duration {
        guard configuration.requestsPerSecond > 0 else { return .zero }
        let seconds = -Math.log(random.nextOpenUnitDouble()) / configuration.requestsPerSecond
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// The next request.
    public mutating func nextRequest() -> GenerationRequest {
        let c = configuration
        let promptLength = logNormal(
            median: c.promptLengthMedian,
            sigma: c.promptLengthSigma,
            upTo: min(c.maxPromptLength, maxTotalTokens - 1)
        )
        let outputLength = logNormal(
            median: c.outputLengthMedian,
            sigma: c.outputLengthSigma,
            upTo: min(c.maxOutputLength, maxTotalTokens - promptLength)
        )
        var prompt: [Int] = []
        prompt.reserveCapacity(promptLength)
        for _ in 0..<promptLength {
            var token = Int(random.next() % UInt64(vocabularySize))
            if token == c.stopToken { token = (token + 1) % vocabularySize }
            prompt.append(token)
        }
        let sampling: SamplingStrategy = c.temperature > 0 ? .temperature(c.temperature, seed: random.next()) : .greedy
        return GenerationRequest(
            promptTokens: prompt,
            maxNewTokens: outputLength,
            stopToken: c.stopToken,
            sampling: sampling
        )
    }

    private mutating func logNormal(median: Double, sigma: Double, upTo limit: Int) -> Int {
        let value = median * Math.exp(sigma * random.nextStandardNormal())
        guard value.isFinite else { return limit }
        return min(max(Int(value.rounded()), 1), max(limit, 1))
    }
}
