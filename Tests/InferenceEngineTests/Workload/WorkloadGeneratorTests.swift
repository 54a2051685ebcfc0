import Testing

@testable import InferenceEngine

@Suite struct WorkloadGeneratorTests {
    static func draw(_ configuration: WorkloadConfiguration, count: Int, maxTotal: Int = 2048) -> [(
        Duration, GenerationRequest
    )] {
        var generator = WorkloadGenerator(configuration: configuration, vocabularySize: 64, maxTotalTokens: maxTotal)
        return (0..<count).map { _ in (generator.nextInterarrival(), generator.nextRequest()) }
    }

    @Test func sameSeedSameWorkload() {
        let a = Self.draw(WorkloadConfiguration(seed: 5), count: 50)
        let b = Self.draw(WorkloadConfiguration(seed: 5), count: 50)
        let c = Self.draw(WorkloadConfiguration(seed: 6), count: 50)
        #expect(a.map(\.0) == b.map(\.0))
        #expect(a.map(\.1.promptTokens) == b.map(\.1.promptTokens))
        #expect(a.map(\.1.maxNewTokens) == b.map(\.1.maxNewTokens))
        #expect(a.map(\.1.sampling) == b.map(\.1.sampling))
        #expect(a.map(\.1.promptTokens) != c.map(\.1.promptTokens))
    }

    @Test func arrivalsArePoissonAndLengthsLogNormal() {
        let configuration = WorkloadConfiguration(
            requestsPerSecond: 20,
            promptLengthMedian: 100,
            promptLengthSigma: 0.5,
            outputLengthMedian: 40,
            outputLengthSigma: 0.5,
            seed: 3
        )
        let sample = Self.draw(configuration, count: 4000)
        let gaps = sample.map { $0.0.milliseconds }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        #expect(abs(mean - 50) < 3, "mean gap \(mean) ms, expected 50")
        // Exponential: the standard deviation equals the mean.
        let deviation = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(deviation - mean) < 5, "standard deviation \(deviation) ms")

        func median(_ values: [Int]) -> Int { values.sorted()[values.count / 2] }
        let prompts = sample.map(\.1.promptTokens.count)
        let outputs = sample.map(\.1.maxNewTokens)
        #expect(abs(median(prompts) - 100) <= 5, "median prompt \(median(prompts))")
        #expect(abs(median(outputs) - 40) <= 3, "median output \(median(outputs))")
        // Log-normal: the mean exceeds the median by exp(sigma^2 / 2) ~ 1.13.
        let promptMean = Double(prompts.reduce(0, +)) / Double(prompts.count)
        #expect(promptMean > 105 && promptMean < 120, "mean prompt \(promptMean)")
    }

    @Test func requestsRespectTheLimitsAndAvoidTheStopToken() {
        let configuration = WorkloadConfiguration(
            promptLengthMedian: 200,
            promptLengthSigma: 1.5,
            maxPromptLength: 300,
            outputLengthMedian: 100,
            outputLengthSigma: 1.5,
            maxOutputLength: 150,
            temperature: 0,
            stopToken: 5,
            seed: 9
        )
        for (_, request) in Self.draw(configuration, count: 500, maxTotal: 320) {
            #expect((1...300).contains(request.promptTokens.count))
            #expect((1...150).contains(request.maxNewTokens))
            #expect(request.promptTokens.count + request.maxNewTokens <= 320)
            #expect(!request.promptTokens.contains(5))
            #expect(request.promptTokens.allSatisfy { (0..<64).contains($0) })
            #expect(request.stopToken == 5)
            #expect(request.sampling == .greedy)
        }
    }

    @Test func generatedRequestsAreServable() async {
        var configuration = Fixtures.configuration(numBlocks: 64)
        configuration.workload = WorkloadConfiguration(
            requestsPerSecond: 10,
            promptLengthMedian: 12,
            outputLengthMedian: 6,
            seed: 2
        )
        var generator = WorkloadGenerator(engineConfiguration: configuration)
        let requests = (0..<10).map { _ in generator.nextRequest() }
        let results = await Engine(configuration: configuration, logger: Fixtures.logger).generate(batch: requests)
        #expect(results.allSatisfy { $0.finishReason == .stop || $0.finishReason == .length })
    }
}
