internal import Logging
public import Metrics
public import Tracing

/// Measures the engine's step loop on the calling thread, without the async service around it: a fixed batch
/// of requests with greedy sampling (so every run does the same work), stepped until all finish.
///
/// The split of step time into the model's forward passes and everything else (scheduling, block accounting,
/// sampling, metrics and spans) is what the scheduler overhead figure reports.
public enum EngineBenchmark {
    /// One run's figures.
    public struct Result: Sendable, CustomStringConvertible {
        public var requests: Int
        public var steps: Int
        public var seconds: Double
        /// Prompt and generated tokens through the model.
        public var processedTokens: Int
        public var generatedTokens: Int
        public var preemptions: Int
        /// Time inside the model's forward passes.
        public var forwardSeconds: Double
        /// Step time outside the forward passes.
        public var overheadSeconds: Double

        public var stepsPerSecond: Double { Double(steps) / seconds }
        public var processedTokensPerSecond: Double { Double(processedTokens) / seconds }
        public var generatedTokensPerSecond: Double { Double(generatedTokens) / seconds }
        public var overheadPerStepMicroseconds: Double { overheadSeconds / Double(max(steps, 1)) * 1e6 }

        public var description: String {
            "\(requests) requests, \(steps) steps in \(Self.format(seconds)) s: \(Int(stepsPerSecond)) steps/s, "
                + "\(Int(processedTokensPerSecond)) tokens/s through the model (\(Int(generatedTokensPerSecond)) generated/s), "
                + "\(preemptions) preemptions, non-model time \(Self.format(overheadPerStepMicroseconds)) µs/step"
        }

        static func format(_ x: Double) -> String {
            let scaled = (x * 100).rounded() / 100
            return "\(scaled)"
        }
    }

    /// Runs `requests` requests of `promptLength` prompt tokens and `outputLength` new tokens each, all submitted
    /// at once, until every one finishes.
    ///
    /// - Parameters:
    ///   - metricsFactory: the metrics backend; nil uses swift-metrics' no-op handler (no backend at all).
    ///   - tracer: the tracing backend; nil uses the no-op tracer.
    public static func run(
        configuration: EngineConfiguration, requests: Int, promptLength: Int, outputLength: Int,
        metricsFactory: (any MetricsFactory)? = nil, tracer: (any Tracer)? = nil
    ) -> Result {
        var logger = Logger(label: "engine-benchmark")
        logger.logLevel = .error
        let core = EngineCore(
            configuration: configuration,
            metrics: EngineMetrics(
                factory: metricsFactory ?? NOOPMetricsHandler.instance, modelName: configuration.modelName),
            tracer: tracer ?? NoOpTracer(), logger: logger)
        var random = SplitMix64(seed: 7)
        let vocabulary = configuration.model.vocabularySize
        let sink = RequestSink(tokens: nil) { _ in }
        for _ in 0..<requests {
            // Stop token out of range: every request generates exactly outputLength tokens.
            let prompt = (0..<promptLength).map { _ in 1 + Int(random.next() % UInt64(vocabulary - 1)) }
            core.admit(
                Submission(
                    request: GenerationRequest(promptTokens: prompt, maxNewTokens: outputLength, stopToken: nil),
                    sink: sink, arrival: .now, tracerArrival: DefaultTracerClock.now, context: .topLevel))
        }
        let clock = ContinuousClock()
        let start = clock.now
        while core.hasWork { _ = core.step() }
        let elapsed = clock.now - start
        return Result(
            requests: requests, steps: core.steps, seconds: elapsed.seconds, processedTokens: core.processedTokens,
            generatedTokens: core.generatedTokens, preemptions: core.preemptions,
            forwardSeconds: core.forwardTime.seconds,
            overheadSeconds: (core.stepTime - core.forwardTime).seconds)
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
