internal import GatewayCore

/// A policy's verdict, as the Collector combines them: any "do not sample" from an inverted match wins, then any
/// "sample".
enum Decision {
    case sampled, notSampled, invertSampled, invertNotSampled
}

/// Per-second span budgets of the rate-limiting policies, by the policy's path in the configuration.
struct RateBudgets {
    var second: UInt64 = 0
    var spent: [String: Int] = [:]

    mutating func take(_ key: String, spans: Int, limit: Int, nowNanos: UInt64) -> Bool {
        let now = nowNanos / 1_000_000_000
        if now != second {
            second = now
            spent.removeAll(keepingCapacity: true)
        }
        guard spent[key, default: 0] + spans <= limit else { return false }
        spent[key, default: 0] += spans
        return true
    }
}

extension SamplingPolicy {
    func evaluate(_ trace: BufferedTrace, id: TraceID, path: String, budgets: inout RateBudgets, nowNanos: UInt64)
        -> Decision
    {
        switch self {
        case .alwaysSample:
            return .sampled
        case .latency(let threshold, let upper):
            let duration = Duration.nanoseconds(Int64(clamping: trace.durationNanos))
            return duration >= threshold && (upper.map { duration <= $0 } ?? true) ? .sampled : .notSampled
        case .statusCode(let codes):
            return trace.anySpan { span, _ in codes.contains(span.status.code.rawValue) } ? .sampled : .notSampled
        case .probabilistic(let salt, let percentage):
            guard percentage > 0 else { return .notSampled }
            // Below 2^64 in floating point, so the conversion cannot trap.
            let limit =
                percentage >= 100
                ? UInt64.max : UInt64(Swift.min(Double(UInt64.max) * percentage / 100, 0x1p63 * 1.999))
            return Self.fnv64(Array(salt.utf8) + id.bytes) <= limit ? .sampled : .notSampled
        case .stringAttribute(let key, let values, let patterns, let invert):
            let matched = trace.anySpan { span, resource in
                guard let value = span.attributes[key] ?? resource.attributes[key], case .string(let text) = value
                else { return false }
                return patterns?.matchesWhole(text) ?? values.contains(text)
            }
            return Self.verdict(matched, invert: invert)
        case .numericAttribute(let key, let low, let high, let invert):
            let matched = trace.anySpan { span, resource in
                let value: Int64
                switch span.attributes[key] ?? resource.attributes[key] {
                case .int(let i)?: value = i
                case .double(let d)?: value = Int64(clamping: Int(d))
                default: return false
                }
                return (low.map { value >= $0 } ?? true) && (high.map { value <= $0 } ?? true)
            }
            return Self.verdict(matched, invert: invert)
        case .booleanAttribute(let key, let expected, let invert):
            let matched = trace.anySpan { span, resource in
                if case .bool(let b)? = span.attributes[key] ?? resource.attributes[key] { return b == expected }
                return false
            }
            return Self.verdict(matched, invert: invert)
        case .rateLimiting(let limit):
            return budgets.take(path, spans: trace.spanCount, limit: limit, nowNanos: nowNanos) ? .sampled : .notSampled
        case .spanCount(let min, let max):
            return trace.spanCount >= min && (max == 0 || trace.spanCount <= max) ? .sampled : .notSampled
        case .traceState(let key, let values):
            let matched = trace.anySpan { span, _ in
                span.traceState.split(separator: ",").contains { member in
                    let parts = member.trimmingPrefix(" ").split(separator: "=", maxSplits: 1)
                    return parts.count == 2 && parts[0] == key && values.contains(String(parts[1]))
                }
            }
            return matched ? .sampled : .notSampled
        case .and(let policies):
            for sub in policies {
                let d = sub.policy.evaluate(
                    trace, id: id, path: path + "/" + sub.name, budgets: &budgets, nowNanos: nowNanos)
                if d == .notSampled || d == .invertNotSampled { return .notSampled }
            }
            return .sampled
        case .composite(let max, let order, let policies, let shares):
            let ordered =
                order.compactMap { name in policies.first { $0.name == name } }
                + policies.filter { !order.contains($0.name) }
            for sub in ordered {
                let d = sub.policy.evaluate(
                    trace, id: id, path: path + "/" + sub.name, budgets: &budgets, nowNanos: nowNanos)
                guard d == .sampled || d == .invertSampled else { continue }
                let share = Int(Double(max) * (shares[sub.name] ?? (100 / Double(Swift.max(1, policies.count)))) / 100)
                if budgets.take(path + "#" + sub.name, spans: trace.spanCount, limit: share, nowNanos: nowNanos) {
                    return .sampled
                }
            }
            return .notSampled
        }
    }

    private static func verdict(_ matched: Bool, invert: Bool) -> Decision {
        invert ? (matched ? .invertNotSampled : .invertSampled) : (matched ? .sampled : .notSampled)
    }

    /// FNV-1a, 64-bit.
    static func fnv64(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return hash
    }
}
