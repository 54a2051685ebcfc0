public import ComponentKit
public import GatewayCore

/// One entry of an `actions` list (the `attributes` processor) or an `attributes` list (the `resource` processor), with
/// the Collector's keys and semantics (its `attraction` package): `insert`, `update`, `upsert`, `delete`, `hash`,
/// `extract`, `convert`, applied in order to one attribute map.
public struct AttributeAction: Sendable {
    /// What the action does.
    public enum Kind: String, Sendable, CaseIterable {
        case insert, update, upsert, delete, hash, extract, convert
    }

    /// The target type of `convert`.
    public enum ConvertedType: String, Sendable, CaseIterable {
        case int, double, string
    }

    /// Where `insert`, `update` and `upsert` take their value from.
    public enum Source: Sendable {
        case value(AnyValue)
        case attribute(String)
    }

    public var kind: Kind
    /// The attribute acted on; may be empty for `delete` and `hash` with a `pattern`.
    public var key: String
    public var source: Source?
    /// `pattern`: for `delete` and `hash`, keys matching it (anywhere, as Go's `MatchString`); for `extract`, the
    /// expression whose named groups become attributes.
    public var pattern: CompiledPattern?
    /// The named groups of an `extract` pattern, in order.
    public var groupNames: [String]
    public var convertedType: ConvertedType?

    public init(
        kind: Kind, key: String, source: Source? = nil, pattern: CompiledPattern? = nil, groupNames: [String] = [],
        convertedType: ConvertedType? = nil
    ) {
        self.kind = kind
        self.key = key
        self.source = source
        self.pattern = pattern
        self.groupNames = groupNames
        self.convertedType = convertedType
    }

    /// Applies the action to `attributes`.
    public func apply(to attributes: inout Attributes) {
        switch kind {
        case .delete:
            if !key.isEmpty { attributes.remove(key) }
            if let pattern { attributes.removeAll { pattern.matches($0) } }
        case .insert:
            guard attributes[key] == nil, let value = sourceValue(attributes) else { return }
            attributes.set(key, value)
        case .update:
            guard attributes[key] != nil, let value = sourceValue(attributes) else { return }
            attributes.set(key, value)
        case .upsert:
            guard let value = sourceValue(attributes) else { return }
            attributes.set(key, value)
        case .hash:
            var keys: [String] = key.isEmpty ? [] : [key]
            if let pattern { keys += attributes.map(\.key).filter { $0 != key && pattern.matches($0) } }
            for k in keys {
                guard let value = attributes[k] else { continue }
                attributes.set(k, .string(Self.hashed(value)))
            }
        case .extract:
            guard case .string(let text)? = attributes[key], let pattern, let match = text.firstMatch(of: pattern.regex)
            else { return }
            for element in match.output {
                guard let name = element.name else { continue }
                attributes.set(name, .string(element.substring.map(String.init) ?? ""))
            }
        case .convert:
            guard let value = attributes[key], let convertedType, let converted = Self.convert(value, to: convertedType)
            else { return }
            attributes.set(key, converted)
        }
    }

    private func sourceValue(_ attributes: Attributes) -> AnyValue? {
        switch source {
        case .value(let value)?: return value
        case .attribute(let name)?: return attributes[name]
        case nil: return nil
        }
    }

    /// The hex SHA-256 of a value's bytes as the Collector hashes them: a string's UTF-8, a bool as one byte, an int
    /// or a double as 8 little-endian bytes; other types hash to the empty string, as there.
    static func hashed(_ value: AnyValue) -> String {
        let bytes: [UInt8]
        switch value {
        case .string(let s): bytes = Array(s.utf8)
        case .bool(let b): bytes = [b ? 1 : 0]
        case .int(let i): bytes = withUnsafeBytes(of: UInt64(bitPattern: i).littleEndian, Array.init)
        case .double(let d): bytes = withUnsafeBytes(of: d.bitPattern.littleEndian, Array.init)
        default: return ""
        }
        return SHA256.hex(bytes)
    }

    /// `convert`: nil leaves the value as it was (a string that is no number, a list).
    static func convert(_ value: AnyValue, to type: ConvertedType) -> AnyValue? {
        switch (type, value) {
        case (.int, .int), (.double, .double), (.string, .string): return value
        case (.int, .string(let s)): return Int64(s).map(AnyValue.int)
        case (.int, .double(let d)):
            return d.isFinite && d >= -9.2e18 && d <= 9.2e18 ? .int(Int64(d)) : nil
        case (.int, .bool(let b)): return .int(b ? 1 : 0)
        case (.double, .string(let s)): return Double(s).map(AnyValue.double)
        case (.double, .int(let i)): return .double(Double(i))
        case (.double, .bool(let b)): return .double(b ? 1 : 0)
        case (.string, .bool), (.string, .int), (.string, .double), (.string, .bytes), (.string, .array),
            (.string, .keyValueList), (.string, .empty):
            return .string(value.displayString)
        default: return nil
        }
    }
}

extension AttributeAction {
    /// Decodes the list under `key` (`actions` or `attributes`), reporting at each element; `required` reports an
    /// absent or empty list, as the Collector refuses a processor with nothing to do.
    public static func decodeList(_ reader: MappingReader, key: String, required: Bool = true) -> [AttributeAction] {
        guard let elements = reader.mappingList(key, expected: "a mapping like {key: k, action: delete}") else {
            if required { reader.report(key, "required: at least one action") }
            return []
        }
        if elements.isEmpty, required { reader.report(key, "required: at least one action") }
        return elements.compactMap { item in
            defer { item.finish() }
            return decode(item)
        }
    }

    static func decode(_ item: MappingReader) -> AttributeAction? {
        let key = item.string("key", default: "")
        let kindText = item.scalar("action", expected: "an action")
        let patternText = item.scalar("pattern", expected: "a regular expression")
        let fromAttribute = item.scalar("from_attribute", expected: "an attribute key")
        let convertedText = item.scalar("converted_type", expected: "int, double or string")
        var value: AnyValue?
        switch item.value("value") {
        case nil, .null?: value = nil
        case .scalar(let text)?: value = inferredValue(text)
        case let other?:
            item.report("value", "expected a string, number or boolean, got \(other.summary)")
        }
        if item.contains("from_context") {
            _ = item.value("from_context")
            item.report(
                "from_context",
                "not built for attribute actions: request metadata (include_metadata) is used by batch metadata_keys "
                    + "and headers_setter")
        }
        guard let kindText else {
            item.report("action", "required: one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        guard let kind = Kind(rawValue: kindText.lowercased()) else {
            item.report(
                "action",
                "unknown action \(quoted(kindText)); expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
            return nil
        }
        var action = AttributeAction(
            kind: kind, key: key, source: nil, pattern: nil, groupNames: [], convertedType: nil)
        let sources = [value != nil, fromAttribute != nil].filter { $0 }.count
        func refuse(_ field: String, _ present: Bool) {
            if present { item.report(field, "not used by action \(kind.rawValue)") }
        }
        switch kind {
        case .delete, .hash:
            if key.isEmpty && patternText == nil { item.report("key", "required: key or pattern") }
            refuse("value", value != nil)
            refuse("from_attribute", fromAttribute != nil)
            refuse("converted_type", convertedText != nil)
        default:
            if key.isEmpty { item.report("key", "required") }
        }
        switch kind {
        case .insert, .update, .upsert:
            if sources == 0 { item.report("value", "required: value or from_attribute") }
            if sources > 1 { item.report("from_attribute", "value and from_attribute are both set; use one") }
            refuse("pattern", patternText != nil)
            refuse("converted_type", convertedText != nil)
            if let value {
                action.source = .value(value)
            } else if let fromAttribute {
                action.source = .attribute(fromAttribute)
            }
        case .extract:
            refuse("value", value != nil)
            refuse("from_attribute", fromAttribute != nil)
            refuse("converted_type", convertedText != nil)
            if patternText == nil { item.report("pattern", "required: a regular expression with named groups") }
        case .convert:
            refuse("value", value != nil)
            refuse("from_attribute", fromAttribute != nil)
            refuse("pattern", patternText != nil)
            if let convertedText {
                if let type = ConvertedType(rawValue: convertedText) {
                    action.convertedType = type
                } else {
                    item.report("converted_type", "expected int, double or string, got \(quoted(convertedText))")
                }
            } else {
                item.report("converted_type", "required: int, double or string")
            }
        case .delete, .hash:
            break
        }
        if let patternText, kind == .delete || kind == .hash || kind == .extract {
            do {
                action.pattern = try CompiledPattern(patternText)
                if kind == .extract {
                    // Every group must be named: its name is the attribute it writes.
                    let names = patternNames(patternText)
                    if names.named.isEmpty {
                        item.report("pattern", "has no named groups like (?P<name>...) to extract into")
                    } else if names.unnamed > 0 {
                        item.report("pattern", "has an unnamed group; every group must be named")
                    }
                    action.groupNames = names.named
                }
            } catch {
                item.report("pattern", "invalid regular expression \(quoted(patternText)): \(error)")
            }
        }
        return action
    }

    /// The named groups of a pattern, and how many capturing groups have no name (`(?:`, lookarounds and escaped
    /// parentheses are not groups).
    static func patternNames(_ pattern: String) -> (named: [String], unnamed: Int) {
        var named: [String] = []
        var unnamed = 0
        let chars = Array(pattern)
        var i = 0
        var inClass = false
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            if c == "[" {
                inClass = true
            } else if c == "(" {
                let rest = String(chars[(i + 1)...])
                if rest.hasPrefix("?P<") || (rest.hasPrefix("?<") && !rest.hasPrefix("?<=") && !rest.hasPrefix("?<!")) {
                    let start = rest.index(rest.startIndex, offsetBy: rest.hasPrefix("?P<") ? 3 : 2)
                    if let end = rest[start...].firstIndex(of: ">") { named.append(String(rest[start..<end])) }
                } else if !rest.hasPrefix("?") {
                    unnamed += 1
                }
            }
            i += 1
        }
        return (named, unnamed)
    }

    /// A YAML scalar as the Collector's decoder types it: `true`/`false`, an integer, a floating-point number, or a
    /// string (the reader sees the text only, so a quoted "42" is an int here too).
    public static func inferredValue(_ text: String) -> AnyValue {
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let i = Int64(text) { return .int(i) }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let d = Double(text), d.isFinite {
            return .double(d)
        }
        return .string(text)
    }
}

/// A list of actions applied in order.
public struct AttributeActions: Sendable {
    public var actions: [AttributeAction]

    public init(_ actions: [AttributeAction]) { self.actions = actions }

    public func apply(to attributes: inout Attributes) {
        for action in actions { action.apply(to: &attributes) }
    }
}

/// A regular expression compiled once at start. `Regex` is an immutable value that Swift does not yet mark
/// `Sendable`; it is only ever read after it is built, so sharing it between event loops is safe.
public final class CompiledPattern: @unchecked Sendable {
    public let text: String
    public let regex: Regex<AnyRegexOutput>

    public init(_ text: String) throws {
        self.text = text
        self.regex = try Regex(text)
    }

    /// Whether the expression matches anywhere in `value`, as Go's `MatchString`.
    public func matches(_ value: String) -> Bool { value.contains(regex) }
}
