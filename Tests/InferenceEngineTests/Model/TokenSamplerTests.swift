import Testing

@testable import InferenceEngine

@Suite struct TokenSamplerTests {
    @Test func greedyTakesTheLowestIndexOfTheMaximum() {
        var sampler = TokenSampler(.greedy)
        var logits: [Float] = [0.5, 3, -1, 3, 2]
        #expect(logits.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, count: 5) } == 1)
    }

    @Test func zeroTemperatureIsGreedy() {
        var sampler = TokenSampler(.temperature(0, seed: 9))
        var logits: [Float] = [0.5, 1, 4, 3]
        #expect(logits.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, count: 4) } == 2)
    }

    @Test func temperatureSamplingIsSeededAndFollowsTheDistribution() {
        let base: [Float] = [0, 1, 2, 0.5]
        func draws(seed: UInt64, count: Int) -> [Int] {
            var sampler = TokenSampler(.temperature(1, seed: seed))
            return (0..<count).map { _ in
                var logits = base
                return logits.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, count: 4)! }
            }
        }
        #expect(draws(seed: 1, count: 200) == draws(seed: 1, count: 200))
        #expect(draws(seed: 1, count: 200) != draws(seed: 2, count: 200))
        // Token 2 has probability e^2 / (1 + e + e^2 + e^0.5) ~ 0.58.
        let sample = draws(seed: 3, count: 4000)
        let share = Double(sample.filter { $0 == 2 }.count) / Double(sample.count)
        #expect(abs(share - 0.5797) < 0.03, "share of token 2: \(share)")
        #expect(Set(sample) == [0, 1, 2, 3])
    }

    @Test func nonFiniteLogitsAreRefused() {
        var sampler = TokenSampler(.greedy)
        var logits: [Float] = [0, .nan, 1]
        #expect(logits.withUnsafeMutableBufferPointer { sampler.sample($0.baseAddress!, count: 3) } == nil)
    }
}
