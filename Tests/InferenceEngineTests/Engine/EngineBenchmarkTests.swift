import Metrics
import MetricsTestKit
import Testing

@testable import InferenceEngine

@Suite struct EngineBenchmarkTests {
    static let configuration = EngineConfiguration(
        model: ModelConfiguration(
            numLayers: 1, hiddenSize: 16, numHeads: 2, numKVHeads: 2, intermediateSize: 32, vocabularySize: 64),
        numBlocks: 64, maxBatchTokens: 64)

    @Test func everyRequestRunsToItsLengthAndTheTimeSplitAddsUp() {
        let result = EngineBenchmark.run(
            configuration: Self.configuration, requests: 8, promptLength: 20, outputLength: 10)
        #expect(result.generatedTokens == 8 * 10)
        // Prompts plus every generated token but the last of each request go through the model.
        #expect(result.processedTokens == 8 * 20 + 8 * 9)
        // 232 tokens at 64 per step cannot take fewer than 4 steps; decode needs at least 10 steps per request.
        #expect(result.steps >= 10)
        #expect(result.forwardSeconds > 0 && result.overheadSeconds > 0)
        #expect(result.forwardSeconds + result.overheadSeconds <= result.seconds)
        #expect(result.stepsPerSecond > 0)
    }

    @Test func aMetricsBackendSeesTheBenchmarkWork() {
        let metrics = TestMetrics()
        _ = EngineBenchmark.run(
            configuration: Self.configuration, requests: 4, promptLength: 8, outputLength: 5, metricsFactory: metrics)
        let ttft = try? metrics.expectRecorder(
            EngineMetricNames.ttft, [(EngineMetricNames.modelNameDimension, "tiny-transformer")])
        #expect(ttft?.values.count == 4)
    }
}
