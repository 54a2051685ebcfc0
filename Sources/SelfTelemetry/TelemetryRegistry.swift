internal import Synchronization

/// A monotonically increasing count, cheap to bump from any thread (one atomic add).
public final class TelemetryCounter: Sendable {
    private let storage = Atomic<UInt64>(0)

    public init() {}

    @inline(__always)
    public func add(_ n: Int = 1) {
        guard n > 0 else { return }
        storage.wrappingAdd(UInt64(n), ordering: .relaxed)
    }

    public var value: UInt64 { storage.load(ordering: .relaxed) }
}

/// A value that goes up and down (queue length, series count), settable from any thread.
public final class TelemetryGauge: Sendable {
    private let storage = Atomic<Int64>(0)

    public init() {}

    public func set(_ v: Int) { storage.store(Int64(v), ordering: .relaxed) }
    public func add(_ n: Int) { storage.wrappingAdd(Int64(n), ordering: .relaxed) }
    public var value: Int64 { storage.load(ordering: .relaxed) }
}

/// The gateway's own metrics, rendered in the Prometheus text format (0.0.4) with a deterministic order.
///
/// Handles are created once (at pipeline build time) and cached by their users, so the hot path is an atomic
/// add with no lookup. Names follow the Collector's (`otelcol_*`) so its dashboards and alerts work unchanged.
public final class TelemetryRegistry: Sendable {
    public enum Kind: String, Sendable { case counter, gauge }

    private struct Key: Hashable {
        var name: String
        var labels: [Label]
    }

    private struct Label: Hashable, Comparable {
        var name: String
        var value: String
        static func < (a: Label, b: Label) -> Bool { a.name < b.name }
    }

    private enum Source {
        case counter(TelemetryCounter)
        case gauge(TelemetryGauge)
        case callback(@Sendable () -> Double)
    }

    private struct Family {
        var kind: Kind
        var help: String
        var series: [Key: Source] = [:]
    }

    private struct State: @unchecked Sendable {
        var families: [String: Family] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The counter for `name` and `labels`, created on first use; the same labels return the same counter.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> TelemetryCounter {
        let key = Key(name: name, labels: Self.sorted(labels))
        return state.withLock { state in
            var family = state.families[name] ?? Family(kind: .counter, help: help)
            if case .counter(let existing)? = family.series[key] { return existing }
            let counter = TelemetryCounter()
            family.series[key] = .counter(counter)
            state.families[name] = family
            return counter
        }
    }

    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> TelemetryGauge {
        let key = Key(name: name, labels: Self.sorted(labels))
        return state.withLock { state in
            var family = state.families[name] ?? Family(kind: .gauge, help: help)
            if case .gauge(let existing)? = family.series[key] { return existing }
            let gauge = TelemetryGauge()
            family.series[key] = .gauge(gauge)
            state.families[name] = family
            return gauge
        }
    }

    /// A value read at scrape time (process RSS, CPU seconds).
    public func register(
        _ name: String, kind: Kind, help: String, labels: [String: String] = [:], read: @escaping @Sendable () -> Double
    ) {
        let key = Key(name: name, labels: Self.sorted(labels))
        state.withLock { state in
            var family = state.families[name] ?? Family(kind: kind, help: help)
            family.series[key] = .callback(read)
            state.families[name] = family
        }
    }

    /// Current value of one series (for tests and health decisions); nil if it was never created.
    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        let key = Key(name: name, labels: Self.sorted(labels))
        let source: Source? = state.withLock { $0.families[name]?.series[key] }
        return source.map(Self.read)
    }

    private static func read(_ source: Source) -> Double {
        switch source {
        case .counter(let c): return Double(c.value)
        case .gauge(let g): return Double(g.value)
        case .callback(let f): return f()
        }
    }

    private static func sorted(_ labels: [String: String]) -> [Label] {
        labels.map { Label(name: $0.key, value: $0.value) }.sorted()
    }

    /// One series' current value, as pages read the registry.
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var kind: Kind
        public var labels: [String: String]
        public var value: Double
    }

    /// Every series' current value, unsorted; callbacks are read outside the lock.
    public func samples() -> [Sample] {
        let snapshot: [(String, Kind, Key, Source)] = state.withLock { state in
            state.families.flatMap { name, family in family.series.map { (name, family.kind, $0.key, $0.value) } }
        }
        return snapshot.map { name, kind, key, source in
            Sample(
                name: name, kind: kind,
                labels: Dictionary(key.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                value: Self.read(source))
        }
    }

    /// The exposition: families sorted by name, series by their label values.
    public func render() -> String {
        let snapshot: [(String, Family)] = state.withLock { $0.families.sorted { $0.key < $1.key } }
        var out = ""
        out.reserveCapacity(snapshot.count * 200)
        for (name, family) in snapshot {
            out += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            let series = family.series.sorted { a, b in
                a.key.labels.lexicographicallyPrecedes(b.key.labels) { ($0.name, $0.value) < ($1.name, $1.value) }
            }
            for (key, source) in series {
                out += name
                if !key.labels.isEmpty {
                    out += "{"
                    out += key.labels.map { "\($0.name)=\"\(Self.escapeLabel($0.value))\"" }.joined(separator: ",")
                    out += "}"
                }
                out += " "
                out += Self.format(Self.read(source))
                out += "\n"
            }
        }
        return out
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    private static func escapeLabel(_ s: String) -> String {
        guard s.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
