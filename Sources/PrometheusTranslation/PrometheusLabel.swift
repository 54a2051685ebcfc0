/// One Prometheus label.
///
/// Labels compare, sort and hash by the UTF-8 bytes of their name and value, as Prometheus does; `String` itself
/// would treat canonically equivalent spellings as equal.
public struct PrometheusLabel: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public static func == (lhs: PrometheusLabel, rhs: PrometheusLabel) -> Bool {
        utf8Equal(lhs.name, rhs.name) && utf8Equal(lhs.value, rhs.value)
    }

    public func hash(into hasher: inout Hasher) {
        hashUTF8(name, into: &hasher)
        hashUTF8(value, into: &hasher)
    }

    /// By name, then by value, in byte order.
    public static func < (lhs: PrometheusLabel, rhs: PrometheusLabel) -> Bool {
        let byName = utf8Compare(lhs.name, rhs.name)
        return byName != 0 ? byName < 0 : utf8Less(lhs.value, rhs.value)
    }

    /// `name="value"`, unescaped, for diagnostics.
    public var description: String { "\(name)=\"\(value)\"" }
}

extension Array where Element == PrometheusLabel {
    /// This sorted set plus each label of `defaults` whose name it lacks, still sorted: how external labels and
    /// const labels apply (a series' own label wins, as in Prometheus).
    public func addingMissing(_ defaults: [PrometheusLabel]) -> [PrometheusLabel] {
        guard !defaults.isEmpty else { return self }
        var out = self
        for label in defaults where !contains(where: { utf8Equal($0.name, label.name) }) { out.append(label) }
        out.sort()
        return out
    }

    /// Sets the label `name` in a label set sorted by name, keeping it sorted: replaces an existing value, inserts a
    /// new label in place, and removes the label when `value` is empty (Prometheus drops empty labels).
    ///
    /// Use it to add `__name__`, `le` or `quantile` to the set from ``PrometheusLabelBuilder``; like Prometheus'
    /// translator, this overwrites a point attribute of the same name.
    public mutating func setLabel(_ name: String, _ value: String) {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if utf8Less(self[mid].name, name) { low = mid + 1 } else { high = mid }
        }
        if low < count, utf8Equal(self[low].name, name) {
            if value.isEmpty { remove(at: low) } else { self[low].value = value }
        } else if !value.isEmpty {
            insert(PrometheusLabel(name: name, value: value), at: low)
        }
    }
}
