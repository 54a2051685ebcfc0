import GatewayCore
import Testing

@Suite struct RetryPolicyTests {
    @Test func backoffGrowsByMultiplierWithinJitterAndCap() {
        let p = RetryPolicy(initialInterval: .milliseconds(100), maxInterval: .seconds(1), multiplier: 2)
        #expect(p.delay(attempt: 0, random: 0.5) == .milliseconds(100))
        #expect(p.delay(attempt: 2, random: 0.5) == .milliseconds(400))
        #expect(p.delay(attempt: 10, random: 0.5) == .seconds(1))
        #expect(p.delay(attempt: 0, random: 0) == .milliseconds(50))
        #expect(p.delay(attempt: 0, random: 0.999) < .milliseconds(150))
    }
}

@Suite struct RetryAfterTests {
    @Test func parsesDelaySecondsAndCaps() {
        #expect(parseRetryAfter("5") == .seconds(5))
        #expect(parseRetryAfter(" 7 ") == .seconds(7))
        #expect(parseRetryAfter("100000") == .seconds(600))
        #expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(parseRetryAfter(nil) == nil)
        #expect(parseRetryAfter("-1") == nil)
    }
}
