public import GatewayCore
public import Logging
public import SelfTelemetry
internal import Synchronization

/// The check behind a `memory_limiter` processor: measures memory every `checkInterval`, refuses new data above
/// the soft limit and releases freed memory to the system above the hard limit. One per processor ID, shared by
/// every pipeline that lists it (as in the Collector) and by the receivers feeding those pipelines, which read
/// `pressure` before they decode a request.
public final class MemoryLimiter: Sendable {
    /// Where memory stands against the limits.
    public enum State: Int, Sendable {
        /// Below the soft limit: data passes.
        case normal = 0
        /// Above the soft limit: new data is refused.
        case soft = 1
        /// Above the hard limit: refused, and memory release is asked for.
        case hard = 2
    }

    /// Limits and timing, resolved to bytes.
    public struct Settings: Sendable {
        public var checkInterval: Duration
        public var hardLimitBytes: Int
        public var softLimitBytes: Int
        /// Least time between releases while soft limited; zero: none while soft limited.
        public var minReleaseIntervalWhenSoftLimited: Duration
        /// Least time between releases while hard limited; zero: at every check.
        public var minReleaseIntervalWhenHardLimited: Duration

        public init(
            checkInterval: Duration, hardLimitBytes: Int, softLimitBytes: Int,
            minReleaseIntervalWhenSoftLimited: Duration = .zero, minReleaseIntervalWhenHardLimited: Duration = .zero
        ) {
            precondition(checkInterval > .zero, "memory_limiter check_interval must be greater than 0")
            precondition(
                softLimitBytes > 0 && softLimitBytes <= hardLimitBytes,
                "memory_limiter needs 0 < soft limit <= hard limit")
            self.checkInterval = checkInterval
            self.hardLimitBytes = hardLimitBytes
            self.softLimitBytes = softLimitBytes
            self.minReleaseIntervalWhenSoftLimited = minReleaseIntervalWhenSoftLimited
            self.minReleaseIntervalWhenHardLimited = minReleaseIntervalWhenHardLimited
        }
    }

    /// Reads the memory in use, in bytes (the process's RSS in production).
    public typealias MemoryReader = @Sendable () -> Int
    /// Returns freed memory to the system (`malloc_trim` in production), the analogue of the Collector's GC.
    public typealias MemoryRelease = @Sendable () -> Void

    public let name: String
    public let settings: Settings
    /// The flag receivers and processors read; set after each check.
    public let pressure: MemoryPressure
    private let readMemory: MemoryReader
    private let releaseMemory: MemoryRelease
    private let logger: Logger
    private let stateGauge: TelemetryGauge
    private let releases: TelemetryCounter
    private let mutable = Mutex(Mutable())

    private struct Mutable {
        var state = State.normal
        var lastRelease: ContinuousClock.Instant?
    }

    public init(
        name: String, settings: Settings, registry: TelemetryRegistry, logger: Logger,
        readMemory: @escaping MemoryReader = { ProcessMetrics.residentBytes() },
        releaseMemory: @escaping MemoryRelease = SystemMemory.release
    ) {
        self.name = name
        self.settings = settings
        self.pressure = MemoryPressure(name: name)
        self.readMemory = readMemory
        self.releaseMemory = releaseMemory
        self.logger = logger
        let labels = ["processor": name]
        stateGauge = registry.gauge(
            "otelcol_processor_memory_limiter_state",
            help: "Memory limiter state: 0 below the soft limit, 1 above it (refusing), 2 above the hard limit.",
            labels: labels)
        releases = registry.counter(
            "otelcol_processor_memory_limiter_releases_total",
            help: "Times the memory limiter asked the allocator to return free memory (malloc_trim).", labels: labels)
    }

    /// The state after the last check.
    public var state: State { mutable.withLock { $0.state } }

    /// Measures once and updates the state; logs only when the state changes. `now` is injectable for tests.
    @discardableResult
    public func check(now: ContinuousClock.Instant = .now) -> State {
        var used = readMemory()
        let (old, released) = mutable.withLock { m -> (State, Bool) in
            let interval: Duration?
            if used >= settings.hardLimitBytes {
                interval = settings.minReleaseIntervalWhenHardLimited
            } else if used >= settings.softLimitBytes, settings.minReleaseIntervalWhenSoftLimited > .zero {
                interval = settings.minReleaseIntervalWhenSoftLimited
            } else {
                interval = nil
            }
            guard let interval else { return (m.state, false) }
            if let last = m.lastRelease, now - last < interval { return (m.state, false) }
            m.lastRelease = now
            return (m.state, true)
        }
        if released {
            releaseMemory()
            releases.add()
            // As the Collector re-reads after a forced GC: the release may have brought memory under a limit.
            used = readMemory()
        }
        let new: State = used >= settings.hardLimitBytes ? .hard : used >= settings.softLimitBytes ? .soft : .normal
        mutable.withLock { $0.state = new }
        pressure.setRefusing(new != .normal)
        stateGauge.set(new.rawValue)
        if new != old { logTransition(from: old, to: new, used: used) }
        return new
    }

    private func logTransition(from old: State, to new: State, used: Int) {
        let metadata: Logger.Metadata = [
            "processor": "\(name)", "cur_mem_mib": "\(used >> 20)",
            "soft_limit_mib": "\(settings.softLimitBytes >> 20)", "hard_limit_mib": "\(settings.hardLimitBytes >> 20)",
        ]
        switch new {
        case .normal:
            logger.info("memory usage back within limits, accepting data again", metadata: metadata)
        case .soft where old == .normal:
            logger.warning("memory usage is above soft limit, refusing data", metadata: metadata)
        case .soft:
            logger.info("memory usage fell below hard limit, still above soft limit: refusing data", metadata: metadata)
        case .hard:
            logger.warning("memory usage is above hard limit, refusing data and releasing memory", metadata: metadata)
        }
    }

    /// Checks every `checkInterval` until cancelled; the first check runs at once so a gateway that starts over
    /// its limit refuses from its first request.
    public func run<C: Clock>(clock: C) async where C.Duration == Duration {
        await Periodic.run(
            every: settings.checkInterval, clock: clock, options: .init(tickAtStart: true, tickAtStop: false)
        ) { check() }
    }
}
