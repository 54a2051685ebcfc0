internal import ComponentKit
internal import MetricStore
internal import PrometheusTranslation

/// A query parameter that could not be used.
struct ParameterError: Error {
    var message: String
}

/// The decoded query string: `+` is a space, `%XX` a byte, and the bytes must be UTF-8.
struct Parameters {
    private var values: [String: String] = [:]

    init(_ query: String) throws(ParameterError) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = parts.count > 1 ? Self.decode(parts[1]) : "" else {
                throw ParameterError(message: "malformed percent-encoding in the query")
            }
            if values[name] == nil { values[name] = value }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// An integer parameter in `range`, `defaultValue` when absent.
    func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ParameterError) -> Int {
        guard let text = values[name], !text.isEmpty else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ParameterError(
                message: "invalid \(name): expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let c = iterator.next() {
            if c == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if c == UInt8(ascii: "%") {
                guard let h = iterator.next().flatMap(hex), let l = iterator.next().flatMap(hex) else { return nil }
                bytes.append(h << 4 | l)
            } else {
                bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }
}

extension ZPagesAPI {
    /// Series per metric over every metric store, most first, with growth and the label names with the most
    /// values: the question "which metric and which label is exploding my cardinality?".
    func cardinality(_ parameters: Parameters) throws(ParameterError) -> JSONValue {
        let limit = try parameters.int("limit", default: 20, in: 1...1000)
        let labelLimit = try parameters.int("labels", default: 5, in: 0...100)
        let stores = inspection.metricStores
        var merged: [String: MetricStore.FamilyCount] = [:]
        var storeRows: [JSONValue] = []
        for (name, store) in stores {
            let families = store.families()
            var refused = 0
            for family in families {
                refused += family.refusedPoints
                if var existing = merged[family.name] {
                    existing.series += family.series
                    existing.refusedPoints += family.refusedPoints
                    merged[family.name] = existing
                } else {
                    merged[family.name] = family
                }
            }
            storeRows.append(
                .object([
                    ("store", .string(name)), ("series", .int(families.reduce(0) { $0 + $1.series })),
                    ("refusedPoints", .int(refused)), ("maxSeriesPerMetric", .int(store.settings.maxSeriesPerMetric)),
                ]))
        }
        let top = merged.values.sorted { $0.series != $1.series ? $0.series > $1.series : $0.name < $1.name }
            .prefix(limit)
        let ticks = sampler.cardinalityTicks
        let now = nowMs()
        let windowMs: Int64 = 300_000
        let past = ticks.first { now - $0.timeMs <= windowMs }
        var labelCounts: [String: [String: Int]] = [:]
        if labelLimit > 0 {
            let wanted = Set(top.map(\.name))
            for (_, store) in stores {
                for (family, counts) in store.labelValueCounts(families: wanted) {
                    for (label, count) in counts { labelCounts[family, default: [:]][label, default: 0] += count }
                }
            }
        }
        let metrics: [JSONValue] = top.map { family in
            let labels = (labelCounts[family.name] ?? [:]).sorted {
                $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
            }
            .prefix(labelLimit)
            return .object([
                ("name", .string(family.name)), ("type", .string(family.type.rawValue)),
                ("series", .int(family.series)),
                ("growth", past.map { .int(family.series - ($0.counts[family.name] ?? 0)) } ?? .null),
                ("refused", .int(family.refusedPoints)),
                ("labels", .array(labels.map { .object([("name", .string($0.key)), ("values", .int($0.value))]) })),
            ])
        }
        return .object([
            ("totalSeries", .int(merged.values.reduce(0) { $0 + $1.series })), ("metricCount", .int(merged.count)),
            ("stores", .array(storeRows)),
            ("growthWindowSeconds", .number(past.map { Double(now - $0.timeMs) / 1000 } ?? 0)),
            ("metrics", .array(metrics)),
        ])
    }

    /// One metric's series, ordered by labels, a page at a time.
    func series(_ parameters: Parameters) throws(ParameterError) -> Response {
        guard let metric = parameters["metric"], !metric.isEmpty else {
            throw ParameterError(message: "missing metric: /api/v1/series?metric=<name>")
        }
        let offset = try parameters.int("offset", default: 0, in: 0...Int(Int32.max))
        let limit = try parameters.int("limit", default: 100, in: 1...1000)
        var all: [MetricStore.Series] = []
        for (_, store) in inspection.metricStores { all += store.series(inFamilies: [metric]) }
        guard let first = all.first else { return Self.error(404, "metric not found") }
        all.sort { $0.labels.lexicographicallyPrecedes($1.labels) }
        let page = all.dropFirst(offset).prefix(limit)
        let rows: [JSONValue] = page.map { series in
            let value: Double
            switch series.value {
            case .number(let n): value = n
            case .histogram(let h): value = Double(h.count)
            case .exponentialHistogram(let e): value = Double(e.count)
            case .summary(let s): value = Double(s.count)
            }
            return .object([
                ("labels", .object(series.labels.map { ($0.name, .string($0.value)) })),
                ("value", series.isStale ? .null : .optional(value)),
            ])
        }
        return Self.ok(
            .object([
                ("metric", .string(metric)), ("type", .string(first.family.type.rawValue)), ("total", .int(all.count)),
                ("offset", .int(offset)), ("limit", .int(limit)), ("series", .array(rows)),
            ]))
    }
}
