internal import ComponentKit
public import GatewayCore
public import OTTL

/// A statement checked at start: the editor, its arguments in the shape it needs, and the `where` condition.
public struct CompiledStatement: Sendable {
    enum Editor: Sendable {
        case set(OTTLPath, OTTLExpression)
        case deleteKey(OTTLPath, String)
        case deleteMatchingKeys(OTTLPath, CompiledRegex)
        case keepKeys(OTTLPath, [String])
        case replacePattern(OTTLPath, CompiledRegex, String)
        case replaceAllPatterns(OTTLPath, keys: Bool, CompiledRegex, String)
        case truncateAll(OTTLPath, Int)
        case limit(OTTLPath, Int, [String])
    }

    let editor: Editor
    let condition: OTTLCondition?
    let text: String

    /// The editors built here, for messages.
    static let editors = [
        "set", "delete_key", "delete_matching_keys", "keep_keys", "replace_pattern", "replace_all_patterns",
        "truncate_all", "limit",
    ]

    /// Why a statement cannot run: the message.
    struct Problem: Error, ExpressibleByStringInterpolation {
        let message: String

        init(message: String) { self.message = message }

        init(stringLiteral value: String) { message = value }
    }

    /// Checks `statement`'s editor and arguments; the message says what is wrong.
    static func compile(_ statement: OTTLStatement, text: String) -> Result<CompiledStatement, Problem> {
        let args = statement.arguments
        func path(_ i: Int) -> OTTLPath? { i < args.count ? args[i].path : nil }
        func string(_ i: Int) -> String? { i < args.count ? args[i].string : nil }
        func regex(_ i: Int) -> Result<CompiledRegex, Problem> {
            guard let pattern = string(i) else {
                return .failure(Problem(message: "argument \(i + 1) must be a pattern string"))
            }
            do { return .success(try CompiledRegex(pattern)) } catch {
                return .failure(Problem(message: "invalid regular expression \"\(pattern)\": \(error)"))
            }
        }
        func arity(_ n: ClosedRange<Int>) -> String? {
            n.contains(args.count)
                ? nil
                : "\(statement.editor) takes \(n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound) to \(n.upperBound)") arguments, got \(args.count)"
        }
        let editor: Editor
        switch statement.editor {
        case "set":
            if let problem = arity(2...2) { return .failure(Problem(message: problem)) }
            guard let target = path(0), case .expression(let value) = args[1] else {
                return .failure(Problem(message: "set needs a path and a value"))
            }
            editor = .set(target, value)
        case "delete_key":
            if let problem = arity(2...2) { return .failure(Problem(message: problem)) }
            guard let target = path(0), let key = string(1) else { return .failure("delete_key needs a map and a key") }
            editor = .deleteKey(target, key)
        case "delete_matching_keys":
            if let problem = arity(2...2) { return .failure(Problem(message: problem)) }
            guard let target = path(0) else { return .failure("delete_matching_keys needs a map") }
            switch regex(1) {
            case .failure(let m): return .failure(m)
            case .success(let r): editor = .deleteMatchingKeys(target, r)
            }
        case "keep_keys":
            if let problem = arity(2...2) { return .failure(Problem(message: problem)) }
            guard let target = path(0), case .list(let keys) = args[1] else {
                return .failure(Problem(message: "keep_keys needs a map and a list of keys"))
            }
            editor = .keepKeys(target, keys)
        case "replace_pattern":
            if let problem = arity(3...3) { return .failure(Problem(message: problem)) }
            guard let target = path(0), let replacement = string(2) else {
                return .failure(Problem(message: "replace_pattern needs a path, a pattern and a replacement"))
            }
            switch regex(1) {
            case .failure(let m): return .failure(m)
            case .success(let r): editor = .replacePattern(target, r, replacement)
            }
        case "replace_all_patterns":
            if let problem = arity(4...4) { return .failure(Problem(message: problem)) }
            guard let target = path(0), let mode = string(1), mode == "key" || mode == "value",
                let replacement = string(3)
            else {
                return .failure(
                    Problem(
                        message: #"replace_all_patterns needs a map, "key" or "value", a pattern and a replacement"#))
            }
            switch regex(2) {
            case .failure(let m): return .failure(m)
            case .success(let r): editor = .replaceAllPatterns(target, keys: mode == "key", r, replacement)
            }
        case "truncate_all":
            if let problem = arity(2...2) { return .failure(Problem(message: problem)) }
            guard let target = path(0), let limit = args[1].int, limit >= 0 else {
                return .failure(Problem(message: "truncate_all needs a map and a limit of at least 0"))
            }
            editor = .truncateAll(target, Int(limit))
        case "limit":
            if let problem = arity(2...3) { return .failure(Problem(message: problem)) }
            guard let target = path(0), let limit = args[1].int, limit >= 0 else {
                return .failure(Problem(message: "limit needs a map and a limit of at least 0"))
            }
            var priority: [String] = []
            if args.count == 3 {
                guard case .list(let keys) = args[2] else { return .failure("limit's priority keys must be a list") }
                priority = keys
            }
            editor = .limit(target, Int(limit), priority)
        default:
            return .failure(
                "unsupported editor \"\(statement.editor)\" (built here: \(editors.joined(separator: ", ")))")
        }
        return .success(CompiledStatement(editor: editor, condition: statement.condition, text: text))
    }

    /// Runs the statement on one item.
    func run<E: Editable>(on item: inout E) {
        if let condition, !condition.evaluate(item) { return }
        switch editor {
        case .set(let target, let expression):
            guard let value = AnyValue(expression.value(for: item)) else { return }
            _ = item.set(target, value)
        case .deleteKey(let target, let key):
            _ = item.editMap(target) { $0.remove(key) }
        case .deleteMatchingKeys(let target, let regex):
            _ = item.editMap(target) { map in map.removeAll { regex.matches($0) } }
        case .keepKeys(let target, let keys):
            let keep = Set(keys)
            _ = item.editMap(target) { map in map.removeAll { !keep.contains($0) } }
        case .replacePattern(let target, let regex, let replacement):
            guard case .string(let text) = item.value(at: target) else { return }
            let replaced = Self.replace(text, regex, replacement)
            if replaced != text { _ = item.set(target, .string(replaced)) }
        case .replaceAllPatterns(let target, let keys, let regex, let replacement):
            _ = item.editMap(target) { map in
                for attribute in map {
                    if keys {
                        let key = Self.replace(attribute.key, regex, replacement)
                        if key != attribute.key {
                            map.remove(attribute.key)
                            map.set(key, attribute.value)
                        }
                    } else if case .string(let text) = attribute.value {
                        let value = Self.replace(text, regex, replacement)
                        if value != text { map.set(attribute.key, .string(value)) }
                    }
                }
            }
        case .truncateAll(let target, let limit):
            _ = item.editMap(target) { map in
                for attribute in map {
                    guard case .string(let text) = attribute.value, text.utf8.count > limit else { continue }
                    map.set(attribute.key, .string(Self.truncated(text, toBytes: limit)))
                }
            }
        case .limit(let target, let limit, let priority):
            _ = item.editMap(target) { map in
                guard map.count > limit else { return }
                // Priority keys first, then the rest in key order (the Collector drops "in no particular order").
                var keep = Set<String>()
                for key in priority where keep.count < limit && map[key] != nil { keep.insert(key) }
                for attribute in map where keep.count < limit { keep.insert(attribute.key) }
                map.removeAll { !keep.contains($0) }
            }
        }
    }

    /// Every match of `regex` in `text` replaced, with `$1`, `${1}`, `$name`, `${name}` expanded as Go's `Expand`
    /// does (`$$` is a literal `$`).
    static func replace(_ text: String, _ regex: CompiledRegex, _ template: String) -> String {
        text.replacing(regex.regex) { match in RegexTemplate.expand(template, match) }
    }

    /// `text` cut to at most `limit` UTF-8 bytes, on a character boundary.
    static func truncated(_ text: String, toBytes limit: Int) -> String {
        var out = ""
        var bytes = 0
        for character in text {
            let n = character.utf8.count
            guard bytes + n <= limit else { break }
            out.append(character)
            bytes += n
        }
        return out
    }
}

extension AnyValue {
    /// What `set` writes for an OTTL value; nil leaves the target as it is (a map or list read from a path).
    init?(_ value: OTTLValue) {
        switch value {
        case .nil: self = .empty
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .bool(let b): self = .bool(b)
        case .other: return nil
        }
    }
}
