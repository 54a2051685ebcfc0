/// A synthetic serving workload: Poisson arrivals with log-normal prompt and output lengths.
///
/// Log-normal lengths are what production traces of chat and completion traffic look like: most requests are
/// short, a few are long. Each length is `median * exp(sigma * N(0, 1))`, rounded and clamped.
public struct WorkloadConfiguration: Sendable, Hashable {
    /// `requests_per_second`: mean arrival rate of the Poisson process; 0 disables the generator. Default 4.
    public var requestsPerSecond: Double
    /// `prompt_length_median`: median prompt length in tokens. Default 128.
    public var promptLengthMedian: Double
    /// `prompt_length_sigma`: log-space standard deviation of prompt lengths. Default 0.6.
    public var promptLengthSigma: Double
    /// `max_prompt_length`: prompt lengths are clamped to `1...maxPromptLength`. Default 1024.
    public var maxPromptLength: Int
    /// `output_length_median`: median of `max_new_tokens`. Default 64.
    public var outputLengthMedian: Double
    /// `output_length_sigma`: log-space standard deviation of `max_new_tokens`. Default 0.6.
    public var outputLengthSigma: Double
    /// `max_output_length`: `max_new_tokens` is clamped to `1...maxOutputLength`. Default 512.
    public var maxOutputLength: Int
    /// `temperature`: sampling temperature of generated requests (0: greedy). Default 0.8.
    public var temperature: Float
    /// `stop_token`: the end-of-sequence id given to every request (nil: none), so that some requests finish with
    /// `stop` and others with `length`, as in real traffic. Prompts never contain it. Default 0.
    public var stopToken: Int?
    /// `seed`: arrivals, lengths, prompt contents and per-request sampling seeds derive from it. Default 1.
    public var seed: UInt64

    public init(
        requestsPerSecond: Double = 4,
        promptLengthMedian: Double = 128,
        promptLengthSigma: Double = 0.6,
        maxPromptLength: Int = 1024,
        outputLengthMedian: Double = 64,
        outputLengthSigma: Double = 0.6,
        maxOutputLength: Int = 512,
        temperature: Float = 0.8,
        stopToken: Int? = 0,
        seed: UInt64 = 1
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.promptLengthMedian = promptLengthMedian
        self.promptLengthSigma = promptLengthSigma
        self.maxPromptLength = maxPromptLength
        self.outputLengthMedian = outputLengthMedian
        self.outputLengthSigma = outputLengthSigma
        self.maxOutputLength = maxOutputLength
        self.temperature = temperature
        self.stopToken = stopToken
        self.seed = seed
    }

    /// Checks the parameters; the gateway calls this when it loads its configuration.
    public func validate() throws(EngineError) {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(EngineError) {
            if !condition { throw EngineError(code: .invalidConfiguration, message: message()) }
        }
        try require(
            requestsPerSecond >= 0 && requestsPerSecond.isFinite,
            "workload.requests_per_second must be a finite number >= 0 (got \(requestsPerSecond))"
        )
        try require(promptLengthMedian >= 1, "workload.prompt_length_median must be at least 1")
        try require(outputLengthMedian >= 1, "workload.output_length_median must be at least 1")
        try require(promptLengthSigma >= 0, "workload.prompt_length_sigma must be >= 0")
        try require(outputLengthSigma >= 0, "workload.output_length_sigma must be >= 0")
        try require(maxPromptLength >= 1, "workload.max_prompt_length must be at least 1")
        try require(maxOutputLength >= 1, "workload.max_output_length must be at least 1")
        try require(temperature >= 0 && temperature.isFinite, "workload.temperature must be a finite number >= 0")
    }
}
