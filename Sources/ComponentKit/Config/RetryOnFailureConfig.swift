internal import GatewayCore

/// How an exporter retries a failed send with exponential backoff: `exporters.<id>.retry_on_failure`, the
/// Collector's exporterhelper shape.
///
/// The defaults of `init()` are exporterhelper's; an exporter may override some (`prometheusremotewrite`
/// starts at 50ms, as the Collector's does).
public struct RetryOnFailureConfig: Sendable, Equatable {
    /// `enabled`: whether failed sends are retried at all; false drops the data on the first failure.
    /// Default true.
    public var enabled: Bool
    /// `initial_interval`: the wait before the first retry, greater than 0 and at most `max_interval`.
    /// Default `5s` (`prometheusremotewrite`: `50ms`).
    public var initialInterval: Duration
    /// `max_interval`: the longest wait between two retries, greater than 0. Default `30s`.
    public var maxInterval: Duration
    /// `max_elapsed_time`: how long one send is retried before it is given up; 0 retries forever.
    /// Default `5m`.
    public var maxElapsedTime: Duration
    /// `multiplier`: the factor each wait grows by, at least 1. Default 1.5.
    public var multiplier: Double

    public init(
        enabled: Bool = true,
        initialInterval: Duration = .seconds(5),
        maxInterval: Duration = .seconds(30),
        maxElapsedTime: Duration = .seconds(300),
        multiplier: Double = 1.5
    ) {
        self.enabled = enabled
        self.initialInterval = initialInterval
        self.maxInterval = maxInterval
        self.maxElapsedTime = maxElapsedTime
        self.multiplier = multiplier
    }
}

extension RetryOnFailureConfig {
    /// Reads the section over `defaults`, the exporter's own defaults.
    public init(from reader: MappingReader, defaults: RetryOnFailureConfig) {
        self.init(
            enabled: reader.bool("enabled", default: defaults.enabled),
            initialInterval: reader.positiveDuration("initial_interval", default: defaults.initialInterval),
            maxInterval: reader.positiveDuration("max_interval", default: defaults.maxInterval),
            maxElapsedTime: reader.duration("max_elapsed_time", default: defaults.maxElapsedTime),
            multiplier: reader.double("multiplier", default: defaults.multiplier, min: 1)
        )
        if initialInterval > maxInterval {
            reader.report(
                "max_interval",
                "must be at least initial_interval (\(formatGoDuration(initialInterval))), got \(formatGoDuration(maxInterval))"
            )
        }
    }
}
