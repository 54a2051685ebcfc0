import Synchronization

/// A bounded memo of translated metric and label names, shared by copies of a ``PrometheusNamer``.
///
/// Translation runs for every data point, and the same few names recur; once `capacity` names of a kind are held,
/// further ones are translated without being remembered, so hostile cardinality cannot grow the cache.
public final class PrometheusNameCache: Sendable {
    /// The default number of names of each kind (metric, label) held.
    public static let defaultCapacity = 100_000

    /// The most names of each kind held; 0 turns caching off.
    public let capacity: Int

    private struct MetricKey: Hashable {
        var name: ByteString
        var unit: ByteString
        var kind: MetricNameKind
    }

    private struct State {
        var metricNames: [MetricKey: String] = [:]
        var labelNames: [ByteString: String] = [:]
    }

    private let state = Mutex(State())

    /// A cache holding at most `capacity` (default ``defaultCapacity``) metric names and as many label names.
    public init(capacity: Int = PrometheusNameCache.defaultCapacity) {
        precondition(capacity >= 0, "PrometheusNameCache capacity must not be negative, got \(capacity)")
        self.capacity = capacity
    }

    /// How many metric and label names are held.
    public var count: (metricNames: Int, labelNames: Int) {
        state.withLock { ($0.metricNames.count, $0.labelNames.count) }
    }

    func metricName(_ name: String, unit: String, kind: MetricNameKind, compute: () -> String) -> String {
        guard capacity > 0 else { return compute() }
        let key = MetricKey(name: ByteString(name), unit: ByteString(unit), kind: kind)
        if let hit = state.withLock({ $0.metricNames[key] }) { return hit }
        // Computed outside the lock: two threads may both compute a name, and both get the same answer.
        let value = compute()
        state.withLock { s in
            if s.metricNames.count < capacity { s.metricNames[key] = value }
        }
        return value
    }

    func labelName(_ key: String, compute: () -> String) -> String {
        guard capacity > 0 else { return compute() }
        let cacheKey = ByteString(key)
        if let hit = state.withLock({ $0.labelNames[cacheKey] }) { return hit }
        let value = compute()
        state.withLock { s in
            if s.labelNames.count < capacity { s.labelNames[cacheKey] = value }
        }
        return value
    }
}
