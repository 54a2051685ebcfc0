public import ComponentKit
internal import GatewayCore

/// One entry of `policies`: what it checks on a whole trace. The Collector's policy types and keys.
public indirect enum SamplingPolicy: Sendable {
    case alwaysSample
    /// Trace duration (latest end - earliest start) at least `threshold`, and at most `upper` when set.
    case latency(threshold: Duration, upper: Duration?)
    /// Some span has one of these status codes.
    case statusCode(Set<Int32>)
    /// FNV-1a 64 of `hash_salt` and the trace id below `percentage` of the range.
    case probabilistic(salt: String, percentage: Double)
    /// Some span (or its resource) has `key` equal to one of `values`, or matching one of them as a regular
    /// expression; `invert` makes a match a "do not sample".
    case stringAttribute(key: String, values: [String], patterns: Patterns?, invert: Bool)
    case numericAttribute(key: String, min: Int64?, max: Int64?, invert: Bool)
    case booleanAttribute(key: String, value: Bool, invert: Bool)
    /// At most `spansPerSecond` spans of sampled traces per second.
    case rateLimiting(spansPerSecond: Int)
    /// The trace has between `min` and `max` spans (max 0: no upper bound).
    case spanCount(min: Int, max: Int)
    /// Some span's tracestate has `key` with one of `values`.
    case traceState(key: String, values: Set<String>)
    /// Every sub-policy samples.
    case and([NamedPolicy])
    /// Sub-policies in `order`, each with a share of `maxSpansPerSecond`; the first that samples within its share
    /// decides.
    case composite(maxSpansPerSecond: Int, order: [String], policies: [NamedPolicy], shares: [String: Double])
}

/// Regular expressions compiled once when the configuration is read, not per trace. Immutable after init, so
/// sharing it across threads is safe.
public final class Patterns: @unchecked Sendable {
    let regexes: [Regex<AnyRegexOutput>]

    init(_ regexes: [Regex<AnyRegexOutput>]) { self.regexes = regexes }

    func matchesWhole(_ text: String) -> Bool { regexes.contains { (try? $0.wholeMatch(in: text)) != nil } }
}

/// A policy with its `name` (self-metrics are labelled with it).
public struct NamedPolicy: Sendable {
    public var name: String
    public var policy: SamplingPolicy
}

extension SamplingPolicy {
    static let types = [
        "always_sample", "latency", "status_code", "probabilistic", "string_attribute", "numeric_attribute",
        "boolean_attribute", "rate_limiting", "span_count", "trace_state", "and", "composite",
    ]

    /// Decodes one policy mapping (`name`, `type` and its type's section); nil when invalid (reported).
    static func decode(_ r: MappingReader, nested: Bool = false) -> NamedPolicy? {
        let name = r.string("name", default: "")
        if name.isEmpty { r.report("name", "required: a name for this policy") }
        let type = r.string("type", default: "")
        let policy: SamplingPolicy?
        switch type {
        case "always_sample":
            policy = .alwaysSample
        case "latency":
            policy =
                r.section("latency") { l -> SamplingPolicy in
                    let threshold = l.int("threshold_ms", default: 0, min: 0)
                    let upper = l.int("upper_threshold_ms", default: 0, min: 0)
                    return .latency(threshold: .milliseconds(threshold), upper: upper > 0 ? .milliseconds(upper) : nil)
                } ?? missing(r, "latency")
        case "status_code":
            policy =
                r.section("status_code") { s -> SamplingPolicy? in
                    guard let (codes, _) = s.stringList("status_codes") else { return nil }
                    var set: Set<Int32> = []
                    for (index, code) in codes.enumerated() {
                        switch code {
                        case "UNSET": set.insert(0)
                        case "OK": set.insert(1)
                        case "ERROR": set.insert(2)
                        default:
                            s.diagnostics.report(
                                s.path("status_codes").appending(index: index),
                                "expected OK, ERROR or UNSET, got \(quoted(code))")
                        }
                    }
                    if codes.isEmpty { s.report("status_codes", "required: at least one status code") }
                    return .statusCode(set)
                } ?? missing(r, "status_code")
        case "probabilistic":
            policy =
                r.section("probabilistic") { p -> SamplingPolicy in
                    .probabilistic(
                        salt: p.string("hash_salt", default: ""),
                        percentage: min(100, p.double("sampling_percentage", default: 0, min: 0)))
                } ?? missing(r, "probabilistic")
        case "string_attribute":
            policy =
                r.section("string_attribute") { s -> SamplingPolicy in
                    let key = s.string("key", default: "")
                    if key.isEmpty { s.report("key", "required") }
                    let values = s.stringList("values")?.strings ?? []
                    let regex = s.bool("enabled_regex_matching", default: false)
                    _ = s.int("cache_max_size", default: 0, min: 0)
                    var compiled: [Regex<AnyRegexOutput>] = []
                    for (index, pattern) in values.enumerated() where regex {
                        if let r = try? Regex(pattern) {
                            compiled.append(r)
                        } else {
                            s.diagnostics.report(
                                s.path("values").appending(index: index),
                                "invalid regular expression \(quoted(pattern))")
                        }
                    }
                    return .stringAttribute(
                        key: key, values: values, patterns: regex ? Patterns(compiled) : nil,
                        invert: s.bool("invert_match", default: false))
                } ?? missing(r, "string_attribute")
        case "numeric_attribute":
            policy =
                r.section("numeric_attribute") { n -> SamplingPolicy in
                    let key = n.string("key", default: "")
                    if key.isEmpty { n.report("key", "required") }
                    let low = n.contains("min_value") ? Int64(n.int("min_value", default: 0)) : nil
                    let high = n.contains("max_value") ? Int64(n.int("max_value", default: 0)) : nil
                    return .numericAttribute(
                        key: key, min: low, max: high, invert: n.bool("invert_match", default: false))
                } ?? missing(r, "numeric_attribute")
        case "boolean_attribute":
            policy =
                r.section("boolean_attribute") { b -> SamplingPolicy in
                    let key = b.string("key", default: "")
                    if key.isEmpty { b.report("key", "required") }
                    return .booleanAttribute(
                        key: key, value: b.bool("value", default: false), invert: b.bool("invert_match", default: false)
                    )
                } ?? missing(r, "boolean_attribute")
        case "rate_limiting":
            policy =
                r.section("rate_limiting") { l -> SamplingPolicy in
                    .rateLimiting(spansPerSecond: l.int("spans_per_second", default: 0, min: 0))
                } ?? missing(r, "rate_limiting")
        case "span_count":
            policy =
                r.section("span_count") { s -> SamplingPolicy in
                    .spanCount(min: s.int("min_spans", default: 0, min: 0), max: s.int("max_spans", default: 0, min: 0))
                } ?? missing(r, "span_count")
        case "trace_state":
            policy =
                r.section("trace_state") { t -> SamplingPolicy in
                    let key = t.string("key", default: "")
                    if key.isEmpty { t.report("key", "required") }
                    return .traceState(key: key, values: Set(t.stringList("values")?.strings ?? []))
                } ?? missing(r, "trace_state")
        case "and" where !nested:
            policy =
                r.section("and") { a -> SamplingPolicy in
                    let subs = (a.mappingList("and_sub_policy", expected: "a policy") ?? []).compactMap { sub in
                        defer { sub.finish() }
                        return decode(sub, nested: true)
                    }
                    if subs.isEmpty { a.report("and_sub_policy", "required: at least one policy") }
                    return .and(subs)
                } ?? missing(r, "and")
        case "composite" where !nested:
            policy =
                r.section("composite") { c -> SamplingPolicy in
                    let max = c.int("max_total_spans_per_second", default: 0, min: 0)
                    let order = c.stringList("policy_order")?.strings ?? []
                    let subs = (c.mappingList("composite_sub_policy", expected: "a policy") ?? []).compactMap { sub in
                        defer { sub.finish() }
                        return decode(sub, nested: true)
                    }
                    var shares: [String: Double] = [:]
                    for allocation in c.mappingList("rate_allocation", expected: "a policy and percent") ?? [] {
                        shares[allocation.string("policy", default: "")] = allocation.double(
                            "percent", default: 0, min: 0)
                        allocation.finish()
                    }
                    for name in order where !subs.contains(where: { $0.name == name }) {
                        c.report("policy_order", "names \(quoted(name)), which is not a composite_sub_policy")
                    }
                    return .composite(maxSpansPerSecond: max, order: order, policies: subs, shares: shares)
                } ?? missing(r, "composite")
        case "":
            r.report("type", "required: one of \(types.joined(separator: ", "))")
            policy = nil
        default:
            r.report(
                "type",
                "unknown policy type \(quoted(type))\(nested ? " inside and/composite" : ""); expected one of "
                    + types.joined(separator: ", "))
            policy = nil
        }
        return policy.map { NamedPolicy(name: name, policy: $0) }
    }

    private static func missing(_ r: MappingReader, _ key: String) -> SamplingPolicy? {
        r.report(key, "required for type \(key)")
        return nil
    }
}
