public import ComponentKit

/// The `memory_limiter` processor: `processors.memory_limiter[/name]`, the Collector's keys and checks.
///
/// The limit is either fixed (`limit_mib`) or a share of total memory (`limit_percentage`); with both,
/// `limit_mib` wins, as in the Collector. A spike limit of 0 means 20% of the limit.
public struct MemoryLimiterProcessorConfig: Sendable, Equatable {
    /// `check_interval`: time between measurements; required, greater than 0 (the Collector recommends 1s).
    public var checkInterval: Duration
    /// `limit_mib`: the hard limit in MiB; 0 when the percentage form is used.
    public var limitMiB: Int
    /// `spike_limit_mib`: headroom below the hard limit; the soft limit is `limit_mib - spike_limit_mib`.
    /// Default 0: 20% of the limit.
    public var spikeLimitMiB: Int
    /// `limit_percentage`: the hard limit as a share of total memory (cgroup v2 `memory.max` when set, else
    /// MemTotal), 1 to 100; 0 when `limit_mib` is used.
    public var limitPercentage: Int
    /// `spike_limit_percentage`: headroom as a share of total memory. Default 0: 20% of the limit.
    public var spikeLimitPercentage: Int
    /// `min_gc_interval_when_soft_limited`: least time between memory releases (`malloc_trim`) while above
    /// the soft limit; 0 (default) releases only above the hard limit.
    public var minReleaseIntervalWhenSoftLimited: Duration
    /// `min_gc_interval_when_hard_limited`: least time between memory releases above the hard limit; 0
    /// (default) releases at every check.
    public var minReleaseIntervalWhenHardLimited: Duration

    public init(
        checkInterval: Duration = .seconds(1),
        limitMiB: Int = 0,
        spikeLimitMiB: Int = 0,
        limitPercentage: Int = 0,
        spikeLimitPercentage: Int = 0,
        minReleaseIntervalWhenSoftLimited: Duration = .zero,
        minReleaseIntervalWhenHardLimited: Duration = .zero
    ) {
        self.checkInterval = checkInterval
        self.limitMiB = limitMiB
        self.spikeLimitMiB = spikeLimitMiB
        self.limitPercentage = limitPercentage
        self.spikeLimitPercentage = spikeLimitPercentage
        self.minReleaseIntervalWhenSoftLimited = minReleaseIntervalWhenSoftLimited
        self.minReleaseIntervalWhenHardLimited = minReleaseIntervalWhenHardLimited
    }

    /// The hard and soft limits in bytes, given total memory in bytes (only read in the percentage form).
    public func limits(totalMemoryBytes: Int) -> (hard: Int, soft: Int) {
        let hard: Int
        var spike: Int
        if limitMiB > 0 {
            hard = limitMiB << 20
            spike = spikeLimitMiB << 20
        } else {
            hard = Int(Double(totalMemoryBytes) * Double(limitPercentage) / 100)
            spike = Int(Double(totalMemoryBytes) * Double(spikeLimitPercentage) / 100)
        }
        if spike == 0 { spike = hard / 5 }
        return (hard, hard - spike)
    }
}

extension MemoryLimiterProcessorConfig: ConfigSection {
    public init(from reader: MappingReader) {
        // Required, as in the Collector; a value that does not parse is reported once, as a bad duration.
        let hasInterval = reader.contains("check_interval")
        let checkInterval = reader.positiveDuration("check_interval", default: .seconds(1))
        self.init(
            checkInterval: checkInterval,
            limitMiB: reader.int("limit_mib", default: 0, min: 0),
            spikeLimitMiB: reader.int("spike_limit_mib", default: 0, min: 0),
            limitPercentage: reader.int("limit_percentage", default: 0, min: 0, max: 100),
            spikeLimitPercentage: reader.int("spike_limit_percentage", default: 0, min: 0, max: 100),
            minReleaseIntervalWhenSoftLimited: reader.duration("min_gc_interval_when_soft_limited", default: .zero),
            minReleaseIntervalWhenHardLimited: reader.duration("min_gc_interval_when_hard_limited", default: .zero)
        )
        if !hasInterval {
            reader.report("check_interval", "is required (for example 1s)")
        }
        if limitMiB == 0, limitPercentage == 0 {
            reader.report("set limit_mib or limit_percentage (greater than 0)")
        } else if limitMiB > 0 {
            if spikeLimitMiB >= limitMiB {
                reader.report("spike_limit_mib", "must be smaller than limit_mib (\(limitMiB)), got \(spikeLimitMiB)")
            }
        } else if spikeLimitPercentage >= limitPercentage {
            reader.report(
                "spike_limit_percentage",
                "must be smaller than limit_percentage (\(limitPercentage)), got \(spikeLimitPercentage)")
        }
    }
}
