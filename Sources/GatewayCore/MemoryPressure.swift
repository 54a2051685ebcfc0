internal import Synchronization

/// The refusing state of one `memory_limiter`, shared with the receivers that feed its pipelines.
///
/// The limiter writes it once per check; receivers read it once per request, before they buffer or decode a
/// body, so a gateway over its limit spends no memory on data it would refuse anyway.
public final class MemoryPressure: Sendable {
    /// The limiter's component ID, for logs.
    public let name: String
    private let refusing = Atomic<Bool>(false)

    public init(name: String) {
        self.name = name
    }

    /// Whether new data is being refused (memory above the soft limit).
    public var isRefusing: Bool { refusing.load(ordering: .relaxed) }

    /// Set by the limiter after each measurement.
    public func setRefusing(_ value: Bool) { refusing.store(value, ordering: .relaxed) }

    /// The error a refusing limiter answers with; the Collector's wording, so clients see the same message.
    public static func refusal(retryAfterSeconds: Int = 1) -> PipelineError {
        .retryable("data refused due to high memory usage", retryAfterSeconds: retryAfterSeconds)
    }
}

/// A receiver's admission check: per signal, the memory limiters of every pipeline it feeds. Empty (the
/// default) admits everything.
public struct MemoryAdmission: Sendable {
    private var traces: [MemoryPressure] = []
    private var metrics: [MemoryPressure] = []
    private var logs: [MemoryPressure] = []

    public init() {}

    /// Adds a limiter of a pipeline of `signal`; a limiter already present is not added twice.
    public mutating func add(_ pressure: MemoryPressure, for signal: Signal) {
        switch signal {
        case .traces: if !traces.contains(where: { $0 === pressure }) { traces.append(pressure) }
        case .metrics: if !metrics.contains(where: { $0 === pressure }) { metrics.append(pressure) }
        case .logs: if !logs.contains(where: { $0 === pressure }) { logs.append(pressure) }
        }
    }

    /// Whether no limiter of a `signal` pipeline is refusing: a few atomic loads, no allocation.
    public func admits(_ signal: Signal) -> Bool {
        for pressure in list(signal) where pressure.isRefusing { return false }
        return true
    }

    private func list(_ signal: Signal) -> [MemoryPressure] {
        switch signal {
        case .traces: return traces
        case .metrics: return metrics
        case .logs: return logs
        }
    }
}
