import GatewayCore

/// A parsed `TraceQL` query with its regular expressions compiled once, evaluated trace by trace.
struct TraceQLMatcher {
    let query: TraceQL
    private var regexes: [String: Regex<AnyRegexOutput>] = [:]

    /// Fails with the pattern's problem when a regular expression does not compile.
    init(_ query: TraceQL) throws(TraceQL.ParseError) {
        self.query = query
        for pattern in query.patterns where regexes[pattern] == nil {
            do {
                regexes[pattern] = try Regex(pattern)
            } catch {
                throw TraceQL.ParseError(reason: "invalid regular expression \"\(pattern)\"", offset: 0)
            }
        }
    }

    /// The facts of a trace that trace intrinsics read.
    struct TraceFacts {
        var durationNanos: UInt64
        var rootName: String
        var rootServiceName: String
    }

    /// Whether `trace` matches; `matched` collects up to `maxMatched` spans matching a single-spanset query
    /// (what Tempo returns as the `spanSet`) and counts them all.
    func matches(
        _ trace: StoredTrace, facts: TraceFacts, maxMatched: Int, matched: inout [(group: Int, span: Int)],
        matchedCount: inout Int
    ) -> Bool {
        if case .spanset(let condition) = query {
            for (g, group) in trace.groups.enumerated() {
                for (s, span) in group.spans.enumerated()
                where condition.map({ evaluate($0, span, group, facts) }) ?? true {
                    matchedCount += 1
                    if matched.count < maxMatched { matched.append((g, s)) }
                }
            }
            return matchedCount > 0
        }
        return evaluate(query, trace, facts)
    }

    private func evaluate(_ query: TraceQL, _ trace: StoredTrace, _ facts: TraceFacts) -> Bool {
        switch query {
        case .spanset(let condition):
            guard let condition else { return trace.spanCount > 0 }
            return trace.groups.contains { group in
                group.spans.contains { evaluate(condition, $0, group, facts) }
            }
        case .and(let a, let b): return evaluate(a, trace, facts) && evaluate(b, trace, facts)
        case .or(let a, let b): return evaluate(a, trace, facts) || evaluate(b, trace, facts)
        }
    }

    func evaluate(_ condition: TraceQL.Condition, _ span: Span, _ group: StoredGroup, _ facts: TraceFacts) -> Bool {
        switch condition {
        case .constant(let value): return value
        case .not(let inner): return !evaluate(inner, span, group, facts)
        case .and(let a, let b): return evaluate(a, span, group, facts) && evaluate(b, span, group, facts)
        case .or(let a, let b): return evaluate(a, span, group, facts) || evaluate(b, span, group, facts)
        case .compare(let field, let op, let value):
            return compare(read(field, span, group, facts), op, value)
        }
    }

    /// What a field reads, in the value space comparisons use.
    private enum Operand {
        case missing
        case string(String)
        case number(Double)
        case bool(Bool)
        case duration(UInt64)
        case status(SpanStatus.Code)
        case kind(SpanKind)
    }

    private func read(_ field: TraceQL.Field, _ span: Span, _ group: StoredGroup, _ facts: TraceFacts) -> Operand {
        switch field {
        case .resource(let key): return Self.operand(group.resource.attributes[key])
        case .span(let key): return Self.operand(span.attributes[key])
        case .any(let key): return Self.operand(span.attributes[key] ?? group.resource.attributes[key])
        case .name: return .string(span.name)
        case .status: return .status(span.status.code)
        case .statusMessage: return .string(span.status.message)
        case .kind: return .kind(span.kind)
        case .duration:
            return .duration(
                span.endTimeUnixNano > span.startTimeUnixNano ? span.endTimeUnixNano - span.startTimeUnixNano : 0)
        case .traceDuration: return .duration(facts.durationNanos)
        case .rootName: return .string(facts.rootName)
        case .rootServiceName: return .string(facts.rootServiceName)
        }
    }

    private static func operand(_ value: AnyValue?) -> Operand {
        switch value {
        case nil, .empty?: return .missing
        case .string(let s)?: return .string(s)
        case .bool(let b)?: return .bool(b)
        case .int(let i)?: return .number(Double(i))
        case .double(let d)?: return .number(d)
        case let other?: return .string(other.displayString)
        }
    }

    private func compare(_ operand: Operand, _ op: TraceQL.Operator, _ value: TraceQL.Value) -> Bool {
        if case .nil = value {
            let exists: Bool
            if case .missing = operand { exists = false } else { exists = true }
            switch op {
            case .equal: return !exists
            case .notEqual: return exists
            default: return false
            }
        }
        switch (operand, value) {
        case (.missing, _): return false
        case (.string(let s), .string(let v)):
            switch op {
            case .matches: return regexes[v].map { (try? $0.wholeMatch(in: s)) != nil } ?? false
            case .notMatches: return regexes[v].map { (try? $0.wholeMatch(in: s)) == nil } ?? false
            default: return Self.ordered(s, op, v)
            }
        case (.number(let n), .int(let v)): return Self.ordered(n, op, Double(v))
        case (.number(let n), .double(let v)): return Self.ordered(n, op, v)
        case (.bool(let b), .bool(let v)):
            return op == .equal ? b == v : op == .notEqual ? b != v : false
        case (.duration(let nanos), .duration(let v)):
            let (seconds, attoseconds) = v.components
            let limit = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
            return Self.ordered(Double(nanos), op, limit)
        case (.duration(let nanos), .int(let v)): return Self.ordered(Double(nanos), op, Double(v))
        case (.status(let code), .status(let v)):
            return op == .equal ? code == v : op == .notEqual ? code != v : false
        case (.kind(let kind), .kind(let v)):
            return op == .equal ? kind == v : op == .notEqual ? kind != v : false
        default:
            // Types that differ never match, except `!=`, which holds.
            return op == .notEqual
        }
    }

    private static func ordered<T: Comparable>(_ a: T, _ op: TraceQL.Operator, _ b: T) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .matches, .notMatches: return false
        }
    }
}
