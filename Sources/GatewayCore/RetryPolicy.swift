/// `retry_on_failure`: exponential backoff with jitter, bounded by `maxElapsed`.
public struct RetryPolicy: Sendable {
    public var enabled: Bool
    public var initialInterval: Duration
    public var maxInterval: Duration
    /// Give up after this long (zero: never).
    public var maxElapsed: Duration
    public var multiplier: Double

    public init(
        enabled: Bool = true, initialInterval: Duration = .milliseconds(50), maxInterval: Duration = .seconds(30),
        maxElapsed: Duration = .seconds(300), multiplier: Double = 1.5
    ) {
        self.enabled = enabled
        self.initialInterval = initialInterval
        self.maxInterval = maxInterval
        self.maxElapsed = maxElapsed
        self.multiplier = multiplier
    }

    /// The wait before retry number `attempt` (0-based): initial * multiplier^attempt, capped, with ±50% jitter so
    /// many senders do not retry in lockstep.
    public func delay(attempt: Int, random: Double) -> Duration {
        var d = initialInterval.seconds
        for _ in 0..<attempt {
            d *= multiplier
            if d >= maxInterval.seconds { break }
        }
        d = Swift.min(d, maxInterval.seconds)
        let jittered = d * (0.5 + random)
        return .nanoseconds(Int64(jittered * 1e9))
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Reads an HTTP `Retry-After` given in delay-seconds, capped at 10 minutes. HTTP-dates are rare from OTLP and
/// remote-write servers and are ignored (the caller's backoff applies).
public func parseRetryAfter(_ value: String?) -> Duration? {
    guard let value else { return nil }
    let trimmed = value.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()
    guard let seconds = Int(String(trimmed)), seconds >= 0 else { return nil }
    return .seconds(Swift.min(seconds, 600))
}
