public import GatewayCore

/// The TraceQL subset that Grafana's Tempo query builder writes, parsed into a tree that `TraceQLMatcher`
/// evaluates against stored traces.
///
/// - Spansets `{ ... }` combined with `&&` / `||` (and parentheses): a trace matches `{A} && {B}` when one of its
///   spans matches A and one matches B. `{}` matches every trace.
/// - Inside a spanset, comparisons combined with `&&`, `||`, `!` and parentheses. Left of the operator:
///   `resource.<key>`, `span.<key>`, `.<key>` (span attribute, else resource attribute), the intrinsics `name`,
///   `status`, `statusMessage`, `kind`, `duration` (also as `span:name`, `span:status`, ...), and the trace
///   intrinsics `traceDuration`, `rootName`, `rootServiceName` (also `trace:duration`, `trace:rootName`,
///   `trace:rootService`). A key may be quoted: `span."http route"`.
/// - Operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `=~`, `!~` (regular expressions match the whole value).
/// - Values: strings in double quotes or backticks, integers, decimals, durations (`100ms`, `1.5s`, `2m`),
///   `true`/`false`, `nil` (`!= nil` means the attribute exists), status (`error`, `ok`, `unset`) and kind
///   (`unspecified`, `internal`, `server`, `client`, `producer`, `consumer`).
public indirect enum TraceQL: Sendable, Hashable {
    /// Any span of the trace matches the condition (`nil`: `{}`).
    case spanset(Condition?)
    case and(TraceQL, TraceQL)
    case or(TraceQL, TraceQL)

    /// A condition on one span (and its resource, and its trace).
    public indirect enum Condition: Sendable, Hashable {
        case compare(Field, Operator, Value)
        case and(Condition, Condition)
        case or(Condition, Condition)
        case not(Condition)
        case constant(Bool)
    }

    /// What a comparison reads.
    public enum Field: Sendable, Hashable {
        case resource(String)
        case span(String)
        /// `.key`: the span's attribute, else its resource's.
        case any(String)
        case name, status, statusMessage, kind, duration
        case traceDuration, rootName, rootServiceName
    }

    public enum Operator: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case matches = "=~", notMatches = "!~"
    }

    public enum Value: Sendable, Hashable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case duration(Duration)
        case status(SpanStatus.Code)
        case kind(SpanKind)
        case `nil`
    }

    /// Why a query could not be parsed: the reason and the offset (in UTF-8 bytes) where it was noticed.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        public var reason: String
        public var offset: Int
        public var description: String { "\(reason) at offset \(offset)" }
    }

    /// The deepest nesting accepted, so a hostile query cannot exhaust the stack.
    static let maxDepth = 64

    /// Parses `text`; an empty or blank text is `{}`.
    public static func parse(_ text: String) throws(ParseError) -> TraceQL {
        var parser = TraceQLParser(Array(text.utf8))
        parser.skipSpace()
        if parser.atEnd { return .spanset(nil) }
        let query = try parser.spansets(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw parser.error("unexpected \(parser.describeNext())") }
        return query
    }

    /// The regular expressions the query uses, each checked to compile.
    var patterns: [String] {
        switch self {
        case .spanset(let condition): return condition?.patterns ?? []
        case .and(let a, let b), .or(let a, let b): return a.patterns + b.patterns
        }
    }

    /// The single spanset's condition when the query is one spanset (what search results show matches for).
    var singleSpanset: Condition?? {
        if case .spanset(let condition) = self { return .some(condition) }
        return nil
    }
}

extension TraceQL.Condition {
    var patterns: [String] {
        switch self {
        case .compare(_, let op, .string(let pattern)) where op == .matches || op == .notMatches: return [pattern]
        case .compare, .constant: return []
        case .and(let a, let b), .or(let a, let b): return a.patterns + b.patterns
        case .not(let a): return a.patterns
        }
    }
}

/// A recursive-descent parser over the query's bytes.
struct TraceQLParser {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    func error(_ reason: String) -> TraceQL.ParseError { TraceQL.ParseError(reason: reason, offset: position) }

    func describeNext() -> String {
        atEnd
            ? "end of query"
            : "\"\(String(decoding: bytes[position..<min(bytes.count, position + 12)], as: UTF8.self))\""
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    /// Consumes `token` (after spaces) if it is next.
    mutating func take(_ token: String) -> Bool {
        skipSpace()
        let utf8 = Array(token.utf8)
        guard position + utf8.count <= bytes.count, Array(bytes[position..<position + utf8.count]) == utf8 else {
            return false
        }
        position += utf8.count
        return true
    }

    mutating func spansets(depth: Int) throws(TraceQL.ParseError) -> TraceQL {
        var left = try spansetAnd(depth: depth)
        while take("||") { left = .or(left, try spansetAnd(depth: depth)) }
        return left
    }

    private mutating func spansetAnd(depth: Int) throws(TraceQL.ParseError) -> TraceQL {
        var left = try spansetTerm(depth: depth)
        while take("&&") { left = .and(left, try spansetTerm(depth: depth)) }
        return left
    }

    private mutating func spansetTerm(depth: Int) throws(TraceQL.ParseError) -> TraceQL {
        guard depth < TraceQL.maxDepth else { throw error("query nested deeper than \(TraceQL.maxDepth)") }
        if take("(") {
            let inner = try spansets(depth: depth + 1)
            guard take(")") else { throw error("expected ) but found \(describeNext())") }
            return inner
        }
        guard take("{") else { throw error("expected { but found \(describeNext())") }
        if take("}") { return .spanset(nil) }
        let condition = try conditions(depth: depth + 1)
        guard take("}") else { throw error("expected } but found \(describeNext())") }
        return .spanset(condition)
    }

    private mutating func conditions(depth: Int) throws(TraceQL.ParseError) -> TraceQL.Condition {
        var left = try conditionAnd(depth: depth)
        while take("||") { left = .or(left, try conditionAnd(depth: depth)) }
        return left
    }

    private mutating func conditionAnd(depth: Int) throws(TraceQL.ParseError) -> TraceQL.Condition {
        var left = try conditionTerm(depth: depth)
        while take("&&") { left = .and(left, try conditionTerm(depth: depth)) }
        return left
    }

    private mutating func conditionTerm(depth: Int) throws(TraceQL.ParseError) -> TraceQL.Condition {
        guard depth < TraceQL.maxDepth else { throw error("query nested deeper than \(TraceQL.maxDepth)") }
        skipSpace()
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "!"), bytes[position + 1] != UInt8(ascii: "=") {
            position += 1
            return .not(try conditionTerm(depth: depth + 1))
        }
        if take("(") {
            let inner = try conditions(depth: depth + 1)
            guard take(")") else { throw error("expected ) but found \(describeNext())") }
            return inner
        }
        let start = position
        let word = identifier()
        if word == "true" || word == "false" {
            skipSpace()
            if atEnd
                || [UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "&"), UInt8(ascii: "|")].contains(
                    bytes[position])
            {
                return .constant(word == "true")
            }
        }
        position = start
        let field = try self.field()
        let op = try self.operator()
        let value = try self.value()
        if op == .matches || op == .notMatches {
            guard case .string = value else { throw error("=~ and !~ take a string") }
        }
        return .compare(field, op, value)
    }

    /// Letters, digits and `_ . - / :` (attribute keys as SDKs write them).
    private mutating func identifier() -> String {
        skipSpace()
        let start = position
        while position < bytes.count {
            let c = bytes[position]
            let ok =
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "/") || c == UInt8(ascii: ":") || c >= 0x80
            guard ok else { break }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func field() throws(TraceQL.ParseError) -> TraceQL.Field {
        skipSpace()
        let start = position
        var word = identifier()
        // A quoted key: span."http route", resource."a b", ."x".
        if !atEnd, bytes[position] == UInt8(ascii: "\""), word == "span." || word == "resource." || word == "." {
            word += try string(quote: UInt8(ascii: "\""))
        }
        switch word {
        case "name", "span:name": return .name
        case "status", "span:status": return .status
        case "statusMessage", "span:statusMessage": return .statusMessage
        case "kind", "span:kind": return .kind
        case "duration", "span:duration": return .duration
        case "traceDuration", "trace:duration": return .traceDuration
        case "rootName", "trace:rootName": return .rootName
        case "rootServiceName", "trace:rootService": return .rootServiceName
        default: break
        }
        if word.hasPrefix("resource."), word.count > 9 { return .resource(String(word.dropFirst(9))) }
        if word.hasPrefix("span."), word.count > 5 { return .span(String(word.dropFirst(5))) }
        if word.hasPrefix("."), word.count > 1 { return .any(String(word.dropFirst())) }
        position = start
        throw error(word.isEmpty ? "expected an attribute but found \(describeNext())" : "unknown attribute \(word)")
    }

    private mutating func `operator`() throws(TraceQL.ParseError) -> TraceQL.Operator {
        for op: TraceQL.Operator in [.matches, .notMatches, .notEqual, .greaterOrEqual, .lessOrEqual]
        where take(
            op.rawValue)
        {
            return op
        }
        for op: TraceQL.Operator in [.equal, .greater, .less] where take(op.rawValue) { return op }
        throw error("expected an operator (=, !=, >, >=, <, <=, =~, !~) but found \(describeNext())")
    }

    private mutating func value() throws(TraceQL.ParseError) -> TraceQL.Value {
        skipSpace()
        guard !atEnd else { throw error("expected a value but found end of query") }
        let c = bytes[position]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") { return .string(try string(quote: c)) }
        if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") { return try number() }
        let word = identifier()
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "nil": return .nil
        case "error": return .status(.error)
        case "ok": return .status(.ok)
        case "unset": return .status(.unset)
        case "unspecified": return .kind(.unspecified)
        case "internal": return .kind(.internal)
        case "server": return .kind(.server)
        case "client": return .kind(.client)
        case "producer": return .kind(.producer)
        case "consumer": return .kind(.consumer)
        default: throw error(word.isEmpty ? "expected a value but found \(describeNext())" : "unknown value \(word)")
        }
    }

    /// A quoted string; in double quotes `\"`, `\\`, `\n`, `\t` are escapes, backticks are raw.
    private mutating func string(quote: UInt8) throws(TraceQL.ParseError) -> String {
        position += 1
        var out: [UInt8] = []
        while position < bytes.count {
            let c = bytes[position]
            position += 1
            if c == quote { return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\"), quote == UInt8(ascii: "\""), position < bytes.count {
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(escaped)
                }
                continue
            }
            out.append(c)
        }
        throw error("unterminated string")
    }

    private mutating func number() throws(TraceQL.ParseError) -> TraceQL.Value {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        while position < bytes.count,
            (bytes[position] >= 0x30 && bytes[position] <= 0x39) || bytes[position] == UInt8(ascii: ".")
        {
            position += 1
        }
        let numberEnd = position
        while position < bytes.count,
            (bytes[position] >= 0x61 && bytes[position] <= 0x7A) || bytes[position] == 0xC2 || bytes[position] == 0xB5
        {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if position > numberEnd {
            guard let duration = parseGoDuration(text) else { throw error("invalid duration \(text)") }
            return .duration(duration)
        }
        if let int = Int64(text) { return .int(int) }
        if let double = Double(text), double.isFinite { return .double(double) }
        throw error("invalid number \(text)")
    }
}
