internal import PrometheusTranslation
internal import Synchronization

extension MetricStore {
    /// One family as the cardinality page lists it.
    public struct FamilyCount: Sendable, Hashable {
        public var name: String
        public var type: FamilyType
        public var series: Int
        /// Points refused because the family reached `maxSeriesPerMetric`, since the store was created.
        public var refusedPoints: Int
    }

    /// Live series per family name (stale ones included: they still count against the limit).
    public func familySeriesCounts() -> [String: Int] {
        state.withLock { $0.familyCounts }
    }

    /// Every family with its series count and refused points, in no particular order. One pass over the series.
    public func families() -> [FamilyCount] {
        state.withLock { s in
            var types: [String: FamilyType] = [:]
            types.reserveCapacity(s.familyCounts.count)
            for entry in s.entries where types[entry.series.family.name] == nil {
                types[entry.series.family.name] = entry.series.family.type
            }
            return s.familyCounts.map { name, count in
                FamilyCount(
                    name: name, type: types[name] ?? .gauge, series: count, refusedPoints: s.refusedByFamily[name] ?? 0)
            }
        }
    }

    /// The series of the families in `names`, unsorted: a scan that copies only what matches.
    public func series(inFamilies names: Set<String>) -> [Series] {
        state.withLock { s in
            var found: [Series] = []
            for entry in s.entries where names.contains(entry.series.family.name) { found.append(entry.series) }
            return found
        }
    }

    /// Per family in `names`: the distinct values of each label, counted over its series in one pass; a label
    /// stops counting at `maxValuesPerLabel`.
    public func labelValueCounts(families names: Set<String>, maxValuesPerLabel: Int = 100_000) -> [String: [String:
        Int]]
    {
        var values: [String: [String: Set<String>]] = [:]
        for series in series(inFamilies: names) {
            for label in series.labels where values[series.family.name]?[label.name]?.count ?? 0 < maxValuesPerLabel {
                values[series.family.name, default: [:]][label.name, default: []].insert(label.value)
            }
        }
        return values.mapValues { $0.mapValues(\.count) }
    }
}
