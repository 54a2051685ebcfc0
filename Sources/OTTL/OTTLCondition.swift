/// A boolean OTTL condition, as the `filter` processor (and `where` clauses) use them: comparisons of paths,
/// literals, enums and arithmetic, joined by `and`, `or`, `not` and parentheses, and the boolean functions
/// `IsMatch`, `HasAttrKeyOnDatapoint` and `HasAttrOnDatapoint`.
///
/// Parsed once at start; a condition that does not parse is refused with the column of the problem.
public indirect enum OTTLCondition: Sendable {
    case or(OTTLCondition, OTTLCondition)
    case and(OTTLCondition, OTTLCondition)
    case not(OTTLCondition)
    case compare(OTTLExpression, ComparisonOperator, OTTLExpression)
    case isMatch(OTTLExpression, CompiledRegex)
    case hasAttrKeyOnDatapoint(String)
    case hasAttrOnDatapoint(String, String)
    /// A boolean literal or a path that holds a boolean.
    case value(OTTLExpression)

    public enum ComparisonOperator: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// Parses `text`; the error says where and why.
    public static func parse(_ text: String) throws(OTTLParseError) -> OTTLCondition {
        var parser = OTTLParser(text)
        let condition = try parser.condition()
        try parser.expectEnd()
        return condition
    }

    /// The condition's value for one item.
    public func evaluate(_ item: some OTTLItem) -> Bool {
        switch self {
        case .or(let a, let b): return a.evaluate(item) || b.evaluate(item)
        case .and(let a, let b): return a.evaluate(item) && b.evaluate(item)
        case .not(let a): return !a.evaluate(item)
        case .compare(let a, let op, let b): return OTTLValue.compare(a.evaluate(item), op, b.evaluate(item))
        case .isMatch(let target, let regex):
            // Non-string values match on their text, as OTTL converts them.
            guard let text = target.evaluate(item).text else { return false }
            return regex.matches(text)
        case .hasAttrKeyOnDatapoint(let key): return item.anyDataPointHasAttribute(key: key, value: nil)
        case .hasAttrOnDatapoint(let key, let value): return item.anyDataPointHasAttribute(key: key, value: value)
        case .value(let expression):
            if case .bool(let b) = expression.evaluate(item) { return b }
            return false
        }
    }

    /// The paths the condition reads, for refusing at start a path its context does not have.
    public var paths: [OTTLPath] {
        switch self {
        case .or(let a, let b), .and(let a, let b): return a.paths + b.paths
        case .not(let a): return a.paths
        case .compare(let a, _, let b): return a.paths + b.paths
        case .isMatch(let a, _), .value(let a): return a.paths
        case .hasAttrKeyOnDatapoint, .hasAttrOnDatapoint: return []
        }
    }

    /// Whether the condition calls a function only metric contexts have.
    public var usesDatapointFunctions: Bool {
        switch self {
        case .or(let a, let b), .and(let a, let b): return a.usesDatapointFunctions || b.usesDatapointFunctions
        case .not(let a): return a.usesDatapointFunctions
        case .hasAttrKeyOnDatapoint, .hasAttrOnDatapoint: return true
        default: return false
        }
    }
}

/// A value-producing part of a condition.
public indirect enum OTTLExpression: Sendable {
    case literal(OTTLValue)
    case path(OTTLPath)
    case add(OTTLExpression, OTTLExpression)
    case subtract(OTTLExpression, OTTLExpression)

    func evaluate(_ item: some OTTLItem) -> OTTLValue {
        switch self {
        case .literal(let v): return v
        case .path(let p): return item.value(at: p)
        case .add(let a, let b): return OTTLValue.arithmetic(a.evaluate(item), b.evaluate(item), +, +)
        case .subtract(let a, let b): return OTTLValue.arithmetic(a.evaluate(item), b.evaluate(item), -, -)
        }
    }

    var paths: [OTTLPath] {
        switch self {
        case .literal: return []
        case .path(let p): return [p]
        case .add(let a, let b), .subtract(let a, let b): return a.paths + b.paths
        }
    }
}

/// A path: dotted names, optionally ending in one or more `["key"]` map lookups (`resource.attributes["k"]`).
public struct OTTLPath: Sendable, Hashable, CustomStringConvertible {
    public var names: [String]
    public var keys: [String]

    public init(names: [String], keys: [String] = []) {
        self.names = names
        self.keys = keys
    }

    public var description: String {
        names.joined(separator: ".") + keys.map { "[\"\($0)\"]" }.joined()
    }
}

/// What a path or literal evaluates to.
public enum OTTLValue: Sendable, Equatable {
    case `nil`
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// Bytes, lists and maps: compared for equality only.
    case other(String)

    var text: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .nil, .other: return nil
        }
    }

    static func arithmetic(
        _ a: OTTLValue, _ b: OTTLValue, _ ints: (Int64, Int64) -> Int64, _ doubles: (Double, Double) -> Double
    ) -> OTTLValue {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .int(ints(x, y))
        case (.int(let x), .double(let y)): return .double(doubles(Double(x), y))
        case (.double(let x), .int(let y)): return .double(doubles(x, Double(y)))
        case (.double(let x), .double(let y)): return .double(doubles(x, y))
        default: return .nil
        }
    }

    /// OTTL's comparison: numbers compare across int and double; strings and booleans compare with their own kind;
    /// `nil` equals only `nil`; comparing different kinds is false (and `!=` true), never an error.
    static func compare(_ a: OTTLValue, _ op: OTTLCondition.ComparisonOperator, _ b: OTTLValue) -> Bool {
        let order: Int?
        switch (a, b) {
        case (.int(let x), .int(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .double(let y)): order = Double(x) < y ? -1 : (Double(x) == y ? 0 : 1)
        case (.double(let x), .int(let y)): order = x < Double(y) ? -1 : (x == Double(y) ? 0 : 1)
        case (.double(let x), .double(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): order = x == y ? 0 : (!x ? -1 : 1)
        case (.nil, .nil): order = 0
        case (.other(let x), .other(let y)): return op == .equal ? x == y : (op == .notEqual ? x != y : false)
        default: order = nil
        }
        guard let order else { return op == .notEqual }
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }
}

/// One item a condition is evaluated on (a span, a data point, a log record, ...), with its context.
public protocol OTTLItem {
    /// The value at `path`; `.nil` when the item has none there.
    func value(at path: OTTLPath) -> OTTLValue
    /// For `HasAttrKeyOnDatapoint` / `HasAttrOnDatapoint`: whether any data point of the metric has the attribute
    /// (with `value` when given). False outside metric contexts.
    func anyDataPointHasAttribute(key: String, value: String?) -> Bool
}

extension OTTLItem {
    public func anyDataPointHasAttribute(key: String, value: String?) -> Bool { false }
}

/// Why a condition did not parse: the message and the 1-based column.
public struct OTTLParseError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var column: Int

    public var description: String { "\(message) at column \(column)" }
}

/// A regular expression compiled once; `Regex` is immutable but not yet marked `Sendable`.
public final class CompiledRegex: @unchecked Sendable {
    public let text: String
    public let regex: Regex<AnyRegexOutput>

    public init(_ text: String) throws {
        self.text = text
        self.regex = try Regex(text)
    }

    /// A match anywhere, as Go's `MatchString`.
    public func matches(_ value: String) -> Bool { value.contains(regex) }
}
