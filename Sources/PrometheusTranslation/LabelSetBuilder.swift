/// A label set kept sorted by name, with the semantics of Prometheus' `labels.Builder`: setting a label replaces
/// it, setting an empty value removes it, and a missing label reads as "".
struct LabelSetBuilder {
    private(set) var labels: [PrometheusLabel]

    init(capacity: Int = 0) {
        labels = []
        labels.reserveCapacity(capacity)
    }

    /// A set from labels already sorted by name, each name once, no empty values.
    init(sorted labels: [PrometheusLabel]) {
        self.labels = labels
    }

    /// The index of `name`, or where it would be inserted.
    private func search(_ name: String) -> (index: Int, found: Bool) {
        var low = 0
        var high = labels.count
        while low < high {
            let mid = (low + high) / 2
            let order = utf8Compare(labels[mid].name, name)
            if order == 0 { return (mid, true) }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }

    func get(_ name: String) -> String {
        let (i, found) = search(name)
        return found ? labels[i].value : ""
    }

    mutating func set(_ name: String, _ value: String) {
        let (i, found) = search(name)
        if found {
            if value.isEmpty { labels.remove(at: i) } else { labels[i].value = value }
        } else if !value.isEmpty {
            labels.insert(PrometheusLabel(name: name, value: value), at: i)
        }
    }

    /// Sets `name` only where the set lacks it.
    mutating func fill(_ name: String, _ value: String) {
        let (i, found) = search(name)
        if !found, !value.isEmpty {
            labels.insert(PrometheusLabel(name: name, value: value), at: i)
        }
    }
}
