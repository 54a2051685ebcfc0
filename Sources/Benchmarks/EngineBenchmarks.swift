internal import EngineTelemetry
internal import GatewayCore
internal import InferenceEngine

/// The inference engine's figures: steps and tokens per second for stated model sizes, the non-model time per
/// step with 256 requests running, and the cost of instrumentation (the gateway's swift-metrics and
/// swift-distributed-tracing backends against none at all).
public enum EngineBenchmarks {
    struct Model {
        var label: String
        var configuration: ModelConfiguration
    }

    static let models = [
        Model(label: "default (2 layers, hidden 64, 4 heads, vocab 256)", configuration: ModelConfiguration()),
        Model(
            label: "larger (4 layers, hidden 256, 8 heads, vocab 2048)",
            configuration: ModelConfiguration(
                numLayers: 4, hiddenSize: 256, numHeads: 8, numKVHeads: 8, intermediateSize: 1024, vocabularySize: 2048)
        ),
    ]

    public static func run() -> String {
        var lines: [String] = []
        for (index, model) in models.enumerated() {
            let config = EngineConfiguration(model: model.configuration, numBlocks: 1024, maxBatchTokens: 256)
            // Best of three for the small model, whose run is short enough for page faults and cache warm-up to
            // show; one run of the larger model takes seconds.
            let result = (0..<(index == 0 ? 3 : 1)).map { _ in
                EngineBenchmark.run(configuration: config, requests: 64, promptLength: 128, outputLength: 64)
            }.min { $0.seconds < $1.seconds }!
            lines.append(
                "engine throughput, \(model.label), max_batch_tokens 256, 64 requests of 128+64 tokens: \(result)")
        }
        lines.append(schedulerOverhead())
        lines.append(instrumentationOverhead())
        return lines.joined(separator: "\n")
    }

    /// 256 requests decoding together on a 1-layer, hidden-16 model, so the step is dominated by what is not the
    /// model: scheduling 256 requests, block accounting, sampling, telemetry.
    static func schedulerOverhead() -> String {
        let model = ModelConfiguration(
            numLayers: 1, hiddenSize: 16, numHeads: 2, numKVHeads: 2, intermediateSize: 32, vocabularySize: 64)
        let config = EngineConfiguration(model: model, numBlocks: 1024, maxBatchTokens: 8192, maxWaitingRequests: 4096)
        let result = EngineBenchmark.run(configuration: config, requests: 256, promptLength: 32, outputLength: 64)
        return
            "engine step overhead at 256 running requests (everything but the forward pass; tiny model): \(fmt(result.overheadPerStepMicroseconds)) µs/step over \(result.steps) steps (forward \(fmt(result.forwardSeconds / Double(result.steps) * 1e6)) µs/step)"
    }

    /// The default model's throughput run with no metrics backend, then with the gateway's backends (every
    /// metric recorded, request spans, 1% of steps traced as the default config does), alternating, best of six
    /// each, 128 requests per run.
    static func instrumentationOverhead() -> String {
        let config = EngineConfiguration(numBlocks: 1024, maxBatchTokens: 256)
        var bare = Double.infinity
        var instrumented = Double.infinity
        func bareRun() -> Double {
            EngineBenchmark.run(configuration: config, requests: 128, promptLength: 128, outputLength: 64).seconds
        }
        func instrumentedRun() -> Double {
            let resource = Resource(attributes: ["service.name": .string("inference-engine")])
            let factory = PipelineMetricsFactory(
                resource: resource, buckets: { EngineMetricNames.descriptor(named: $0)?.bucketBoundaries },
                units: { EngineMetricNames.descriptor(named: $0)?.unit })
            let tracer = PipelineTracer(resource: resource)
            let seconds = EngineBenchmark.run(
                configuration: config, requests: 128, promptLength: 128, outputLength: 64, metricsFactory: factory,
                tracer: tracer
            ).seconds
            _ = factory.collect(timeUnixNano: 0)
            _ = tracer.drain()
            return seconds
        }
        // Alternating which goes first, so warm-up and frequency drift do not favour one side.
        for round in 0..<6 {
            if round % 2 == 0 {
                bare = min(bare, bareRun())
                instrumented = min(instrumented, instrumentedRun())
            } else {
                instrumented = min(instrumented, instrumentedRun())
                bare = min(bare, bareRun())
            }
        }
        let ratio = instrumented / bare
        return
            "engine instrumentation overhead (default model, gateway metrics + tracing backends vs none): step time x\(fmt(ratio)) (\(fmt((ratio - 1) * 100))%), best of 6: \(fmt(bare)) s vs \(fmt(instrumented)) s"
    }
}

/// Two decimals, for the report lines.
private func fmt(_ x: Double) -> String { "\((x * 100).rounded() / 100)" }
