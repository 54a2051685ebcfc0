/// An OTTL statement as the `transform` processor runs them: an editor call with its arguments and an optional
/// `where` condition. Which editors exist, and what their arguments mean, is the processor's business.
public struct OTTLStatement: Sendable {
    public var editor: String
    public var arguments: [OTTLArgument]
    public var condition: OTTLCondition?
    /// Where the editor's name starts, for messages.
    public var column: Int

    /// Parses `text`; the error says where and why.
    public static func parse(_ text: String) throws(OTTLParseError) -> OTTLStatement {
        var parser = OTTLParser(text)
        return try parser.statement()
    }

    /// Every path the statement reads or writes.
    public var paths: [OTTLPath] {
        var out = condition?.paths ?? []
        for argument in arguments {
            if case .expression(let e) = argument { out += e.paths }
        }
        return out
    }
}

/// One argument of an editor call.
public enum OTTLArgument: Sendable {
    case expression(OTTLExpression)
    /// `["a", "b"]`.
    case list([String])

    /// The path, when the argument is one.
    public var path: OTTLPath? {
        if case .expression(.path(let p)) = self { return p }
        return nil
    }

    /// The literal string, when the argument is one.
    public var string: String? {
        if case .expression(.literal(.string(let s))) = self { return s }
        return nil
    }

    /// The literal integer, when the argument is one.
    public var int: Int64? {
        if case .expression(.literal(.int(let i))) = self { return i }
        return nil
    }
}

extension OTTLExpression {
    /// The expression's value for one item (public for editors).
    public func value(for item: some OTTLItem) -> OTTLValue { evaluate(item) }

    /// The same expression with `prefix` removed from the front of its paths that start with it (a statement written
    /// with context prefixes, `span.attributes["k"]`, read in that context).
    public func dropping(prefix: String) -> OTTLExpression {
        switch self {
        case .literal: return self
        case .path(let p): return .path(p.dropping(prefix: prefix))
        case .add(let a, let b): return .add(a.dropping(prefix: prefix), b.dropping(prefix: prefix))
        case .subtract(let a, let b): return .subtract(a.dropping(prefix: prefix), b.dropping(prefix: prefix))
        }
    }
}

extension OTTLPath {
    public func dropping(prefix: String) -> OTTLPath {
        guard names.count > 1, names[0] == prefix else { return self }
        return OTTLPath(names: Array(names[1...]), keys: keys)
    }
}

extension OTTLCondition {
    public func dropping(prefix: String) -> OTTLCondition {
        switch self {
        case .or(let a, let b): return .or(a.dropping(prefix: prefix), b.dropping(prefix: prefix))
        case .and(let a, let b): return .and(a.dropping(prefix: prefix), b.dropping(prefix: prefix))
        case .not(let a): return .not(a.dropping(prefix: prefix))
        case .compare(let a, let op, let b): return .compare(a.dropping(prefix: prefix), op, b.dropping(prefix: prefix))
        case .isMatch(let a, let r): return .isMatch(a.dropping(prefix: prefix), r)
        case .value(let a): return .value(a.dropping(prefix: prefix))
        case .hasAttrKeyOnDatapoint, .hasAttrOnDatapoint: return self
        }
    }
}

extension OTTLStatement {
    public func dropping(prefix: String) -> OTTLStatement {
        var out = self
        out.condition = condition?.dropping(prefix: prefix)
        out.arguments = arguments.map { argument in
            if case .expression(let e) = argument { return .expression(e.dropping(prefix: prefix)) }
            return argument
        }
        return out
    }
}
