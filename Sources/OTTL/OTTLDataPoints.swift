public import GatewayCore

extension MetricData {
    /// Visits every data point with its attributes (to edit in place) and the scalar fields the `datapoint` context
    /// reads (`value_int`/`value_double`, `count`, `sum`, times, `flags`); a point for which `body` returns false
    /// is removed. The one walk the `filter` and `transform` processors share.
    public mutating func editPoints(_ body: (inout Attributes, [String: OTTLValue]) -> Bool) {
        func common(_ start: UInt64, _ time: UInt64, _ flags: DataPointFlags) -> [String: OTTLValue] {
            [
                "start_time_unix_nano": .int(Int64(bitPattern: start)), "time_unix_nano": .int(Int64(bitPattern: time)),
                "flags": .int(Int64(flags.rawValue)),
            ]
        }
        func number(_ p: NumberDataPoint) -> [String: OTTLValue] {
            var fields = common(p.startTimeUnixNano, p.timeUnixNano, p.flags)
            switch p.value {
            case .int(let i): fields["value_int"] = .int(i)
            case .double(let d): fields["value_double"] = .double(d)
            }
            return fields
        }
        func distribution(_ start: UInt64, _ time: UInt64, _ flags: DataPointFlags, _ count: UInt64, _ sum: Double?)
            -> [String: OTTLValue]
        {
            var fields = common(start, time, flags)
            fields["count"] = .int(Int64(clamping: count))
            if let sum { fields["sum"] = .double(sum) }
            return fields
        }
        func edit<P>(_ points: inout [P], _ key: WritableKeyPath<P, Attributes>, _ fields: (P) -> [String: OTTLValue]) {
            var kept: [P] = []
            kept.reserveCapacity(points.count)
            for var point in points where body(&point[keyPath: key], fields(point)) { kept.append(point) }
            points = kept
        }
        switch self {
        case .empty:
            return
        case .gauge(var points):
            edit(&points, \.attributes, number)
            self = .gauge(points)
        case .sum(var sum):
            edit(&sum.dataPoints, \.attributes, number)
            self = .sum(sum)
        case .histogram(var h):
            edit(&h.dataPoints, \.attributes) {
                distribution($0.startTimeUnixNano, $0.timeUnixNano, $0.flags, $0.count, $0.sum)
            }
            self = .histogram(h)
        case .exponentialHistogram(var h):
            edit(&h.dataPoints, \.attributes) {
                distribution($0.startTimeUnixNano, $0.timeUnixNano, $0.flags, $0.count, $0.sum)
            }
            self = .exponentialHistogram(h)
        case .summary(var points):
            edit(&points, \.attributes) {
                distribution($0.startTimeUnixNano, $0.timeUnixNano, $0.flags, $0.count, $0.sum)
            }
            self = .summary(points)
        }
    }
}
