internal import GatewayCore

/// A recursive-descent parser for OTTL conditions. Nesting is bounded (`maxDepth`), so a hostile config cannot
/// exhaust the stack.
struct OTTLParser {
    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case int(Int64)
        case double(Double)
        case symbol(String)
        case end
    }

    static let maxDepth = 64

    private var tokens: [(token: Token, column: Int)] = []
    private var index = 0
    private var depth = 0
    private var lexError: OTTLParseError?

    init(_ text: String) {
        do {
            tokens = try Self.lex(text)
        } catch {
            lexError = error
            tokens = [(.end, 1)]
        }
    }

    private var current: Token { tokens[index].token }
    private var column: Int { tokens[index].column }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func fail(_ message: String) -> OTTLParseError { OTTLParseError(message: message, column: column) }

    private func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let s): return "\"\(s)\""
        case .string(let s): return "string \"\(s)\""
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .symbol(let s): return "\"\(s)\""
        case .end: return "the end"
        }
    }

    /// `editor(arguments) [where condition]`.
    mutating func statement() throws(OTTLParseError) -> OTTLStatement {
        if let lexError { throw lexError }
        guard case .identifier(let name) = current, tokens[index + 1].token == .symbol("(") else {
            throw fail("expected an editor call such as set(...), got \(describe(current))")
        }
        let at = column
        advance()
        advance()
        var arguments: [OTTLArgument] = []
        while current != .symbol(")") {
            if !arguments.isEmpty { try expect(",") }
            if current == .symbol("[") {
                advance()
                var items: [String] = []
                while current != .symbol("]") {
                    if !items.isEmpty { try expect(",") }
                    guard case .string(let item) = current else {
                        throw fail("expected a string in the list, got \(describe(current))")
                    }
                    items.append(item)
                    advance()
                }
                advance()
                arguments.append(.list(items))
            } else {
                arguments.append(.expression(try expression()))
            }
        }
        advance()
        var condition: OTTLCondition?
        if current == .identifier("where") {
            advance()
            condition = try self.condition()
        }
        try expectEnd()
        return OTTLStatement(editor: name, arguments: arguments, condition: condition, column: at)
    }

    mutating func expectEnd() throws(OTTLParseError) {
        guard current == .end else { throw fail("unexpected \(describe(current))") }
    }

    private mutating func expect(_ symbol: String) throws(OTTLParseError) {
        guard current == .symbol(symbol) else { throw fail("expected \"\(symbol)\", got \(describe(current))") }
        advance()
    }

    mutating func condition() throws(OTTLParseError) -> OTTLCondition {
        if let lexError { throw lexError }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        var left = try andCondition()
        while current == .identifier("or") {
            advance()
            left = .or(left, try andCondition())
        }
        return left
    }

    private mutating func andCondition() throws(OTTLParseError) -> OTTLCondition {
        var left = try notCondition()
        while current == .identifier("and") {
            advance()
            left = .and(left, try notCondition())
        }
        return left
    }

    private mutating func notCondition() throws(OTTLParseError) -> OTTLCondition {
        if current == .identifier("not") {
            advance()
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
            return .not(try notCondition())
        }
        return try term()
    }

    private mutating func term() throws(OTTLParseError) -> OTTLCondition {
        if current == .symbol("(") {
            advance()
            let inner = try condition()
            try expect(")")
            return inner
        }
        if case .identifier(let name) = current, tokens[index + 1].token == .symbol("(") {
            return try function(name)
        }
        let left = try expression()
        let operators: [OTTLCondition.ComparisonOperator] = [
            .equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater,
        ]
        for op in operators where current == .symbol(op.rawValue) {
            advance()
            return .compare(left, op, try expression())
        }
        return .value(left)
    }

    private mutating func function(_ name: String) throws(OTTLParseError) -> OTTLCondition {
        let at = column
        advance()
        try expect("(")
        switch name {
        case "IsMatch":
            let target = try expression()
            try expect(",")
            guard case .string(let pattern) = current else { throw fail("IsMatch needs a pattern string") }
            advance()
            try expect(")")
            do {
                return .isMatch(target, try CompiledRegex(pattern))
            } catch {
                throw OTTLParseError(message: "invalid regular expression \"\(pattern)\": \(error)", column: at)
            }
        case "HasAttrKeyOnDatapoint":
            guard case .string(let key) = current else { throw fail("HasAttrKeyOnDatapoint needs a key string") }
            advance()
            try expect(")")
            return .hasAttrKeyOnDatapoint(key)
        case "HasAttrOnDatapoint":
            guard case .string(let key) = current else { throw fail("HasAttrOnDatapoint needs a key string") }
            advance()
            try expect(",")
            guard case .string(let value) = current else { throw fail("HasAttrOnDatapoint needs a value string") }
            advance()
            try expect(")")
            return .hasAttrOnDatapoint(key, value)
        default:
            throw OTTLParseError(
                message:
                    "unsupported function \"\(name)\" (supported here: IsMatch, HasAttrKeyOnDatapoint, HasAttrOnDatapoint)",
                column: at)
        }
    }

    private mutating func expression() throws(OTTLParseError) -> OTTLExpression {
        var left = try operand()
        while current == .symbol("+") || current == .symbol("-") {
            let plus = current == .symbol("+")
            advance()
            let right = try operand()
            left = plus ? .add(left, right) : .subtract(left, right)
        }
        return left
    }

    private mutating func operand() throws(OTTLParseError) -> OTTLExpression {
        switch current {
        case .string(let s):
            advance()
            return .literal(.string(s))
        case .int(let i):
            advance()
            return .literal(.int(i))
        case .double(let d):
            advance()
            return .literal(.double(d))
        case .identifier("true"):
            advance()
            return .literal(.bool(true))
        case .identifier("false"):
            advance()
            return .literal(.bool(false))
        case .identifier("nil"):
            advance()
            return .literal(.nil)
        case .identifier("Duration") where tokens[index + 1].token == .symbol("("):
            // `Duration("1s")`: a literal in nanoseconds, comparable with `end_time - start_time`.
            advance()
            advance()
            guard case .string(let text) = current, let duration = parseGoDuration(text) else {
                throw fail("Duration needs a Go duration string such as \"100ms\"")
            }
            advance()
            try expect(")")
            let parts = duration.components
            return .literal(.int(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000))
        case .identifier(let name) where name.first?.isUppercase == true && !name.contains(where: \.isLowercase):
            guard let value = OTTLEnums.values[name] else { throw fail("unknown enum \(name)") }
            advance()
            return .literal(.int(value))
        case .identifier(let name):
            advance()
            var names = [name]
            while current == .symbol(".") {
                advance()
                guard case .identifier(let next) = current else {
                    throw fail("expected a name after \".\", got \(describe(current))")
                }
                names.append(next)
                advance()
            }
            var keys: [String] = []
            while current == .symbol("[") {
                advance()
                guard case .string(let key) = current else {
                    throw fail("expected a string key, got \(describe(current))")
                }
                keys.append(key)
                advance()
                try expect("]")
            }
            return .path(OTTLPath(names: names, keys: keys))
        default:
            throw fail("expected a value, got \(describe(current))")
        }
    }

    static func lex(_ text: String) throws(OTTLParseError) -> [(token: Token, column: Int)] {
        let chars = Array(text.unicodeScalars)
        var out: [(Token, Int)] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
                continue
            }
            if c == "\"" {
                var s = String.UnicodeScalarView()
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == "\\", i + 1 < chars.count {
                        let e = chars[i + 1]
                        switch e {
                        case "n": s.append("\n")
                        case "t": s.append("\t")
                        default: s.append(e)
                        }
                        i += 2
                        continue
                    }
                    if d == "\"" {
                        closed = true
                        i += 1
                        break
                    }
                    s.append(d)
                    i += 1
                }
                guard closed else { throw OTTLParseError(message: "unterminated string", column: column) }
                out.append((.string(String(s)), column))
                continue
            }
            if c.properties.isAlphabetic || c == "_" {
                var s = String.UnicodeScalarView()
                while i < chars.count,
                    chars[i].properties.isAlphabetic || chars[i] == "_" || ("0"..."9").contains(chars[i])
                {
                    s.append(chars[i])
                    i += 1
                }
                out.append((.identifier(String(s)), column))
                continue
            }
            if ("0"..."9").contains(c) {
                var s = ""
                var isDouble = false
                while i < chars.count {
                    let d = chars[i]
                    if ("0"..."9").contains(d) {
                        s.unicodeScalars.append(d)
                    } else if d == "." || d == "e" || d == "E" {
                        isDouble = true
                        s.unicodeScalars.append(d)
                    } else if (d == "+" || d == "-"), s.last == "e" || s.last == "E" {
                        s.unicodeScalars.append(d)
                    } else {
                        break
                    }
                    i += 1
                }
                if isDouble, let d = Double(s) {
                    out.append((.double(d), column))
                } else if !isDouble, let n = Int64(s) {
                    out.append((.int(n), column))
                } else {
                    throw OTTLParseError(message: "invalid number \(s)", column: column)
                }
                continue
            }
            let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
            if ["==", "!=", "<=", ">="].contains(two) {
                out.append((.symbol(two), column))
                i += 2
                continue
            }
            if "()[],.<>+-".unicodeScalars.contains(c) {
                out.append((.symbol(String(c)), column))
                i += 1
                continue
            }
            throw OTTLParseError(message: "unexpected character \"\(c)\"", column: column)
        }
        out.append((.end, chars.count + 1))
        return out
    }
}

/// The OTLP enums OTTL names.
enum OTTLEnums {
    static let values: [String: Int64] = {
        var v: [String: Int64] = [
            "SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
            "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
            "STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
            "METRIC_DATA_TYPE_NONE": 0, "METRIC_DATA_TYPE_GAUGE": 1, "METRIC_DATA_TYPE_SUM": 2,
            "METRIC_DATA_TYPE_HISTOGRAM": 3, "METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM": 4, "METRIC_DATA_TYPE_SUMMARY": 5,
            "AGGREGATION_TEMPORALITY_UNSPECIFIED": 0, "AGGREGATION_TEMPORALITY_DELTA": 1,
            "AGGREGATION_TEMPORALITY_CUMULATIVE": 2,
            "SEVERITY_NUMBER_UNSPECIFIED": 0,
        ]
        for (base, name) in ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].enumerated() {
            let first = Int64(base * 4 + 1)
            v["SEVERITY_NUMBER_\(name)"] = first
            for n in 2...4 { v["SEVERITY_NUMBER_\(name)\(n)"] = first + Int64(n - 1) }
        }
        return v
    }()
}
