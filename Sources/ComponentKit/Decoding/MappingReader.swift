internal import GatewayCore

/// Reads one YAML mapping strictly: typed accessors with defaults, problems reported at the key's path,
/// and every key nobody asked for reported as unknown by `finish()`.
///
/// A key whose value is null (`grpc:`) is present and reads as its default. A value of the wrong type is
/// reported and also reads as the default, so decoding continues and later problems are still found.
public final class MappingReader {
    public let path: ConfigPath
    public let diagnostics: Diagnostics
    private let entries: [ConfigEntry]
    private var consumed: Set<String> = []

    /// Reads `value` as a mapping. Null reads as an empty mapping; any other non-mapping is reported and
    /// reads as an empty mapping.
    public init(_ value: ConfigValue, at path: ConfigPath, diagnostics: Diagnostics) {
        self.path = path
        self.diagnostics = diagnostics
        switch value {
        case .mapping(let entries): self.entries = entries
        case .null: self.entries = []
        case .scalar, .sequence:
            diagnostics.report(path, "expected a mapping, got \(value.summary)")
            self.entries = []
        }
    }

    /// Keys in document order.
    public var keys: [String] { entries.map(\.key) }

    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    public func path(_ key: String) -> ConfigPath { path.appending(key) }

    public func report(_ key: String, _ message: String) { diagnostics.report(path(key), message) }

    public func report(_ message: String) { diagnostics.report(path, message) }

    /// The raw value under `key`, marking the key as known.
    public func value(_ key: String) -> ConfigValue? {
        consumed.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// Reports every key that no accessor asked for, in document order.
    public func finish() {
        for entry in entries where !consumed.contains(entry.key) {
            diagnostics.report(path.appending(entry.key), "unknown key")
        }
    }

    // MARK: Scalars

    /// The scalar text under `key`; nil when absent or null, or (reported) when not a scalar.
    public func scalar(_ key: String, expected: String) -> String? {
        switch value(key) {
        case nil, .null?: return nil
        case .scalar(let text)?: return text
        case let other?:
            report(key, "expected \(expected), got \(other.summary)")
            return nil
        }
    }

    public func string(_ key: String, default defaultValue: String) -> String {
        scalar(key, expected: "a string") ?? defaultValue
    }

    public func bool(_ key: String, default defaultValue: Bool) -> Bool {
        guard let text = scalar(key, expected: "true or false") else { return defaultValue }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default:
            report(key, "expected true or false, got \(quoted(text))")
            return defaultValue
        }
    }

    /// A decimal integer (underscores between digits allowed, as YAML does), optionally bounded.
    public func int(_ key: String, default defaultValue: Int, min: Int? = nil, max: Int? = nil) -> Int {
        guard let text = scalar(key, expected: "an integer") else { return defaultValue }
        guard let value = Self.parseInteger(text) else {
            report(key, "expected an integer, got \(quoted(text))")
            return defaultValue
        }
        switch (min, max) {
        case let (min?, max?) where value < min || value > max:
            report(key, "must be between \(min) and \(max), got \(value)")
        case let (min?, nil) where value < min:
            report(key, "must be at least \(min), got \(value)")
        case let (nil, max?) where value > max:
            report(key, "must be at most \(max), got \(value)")
        default:
            return value
        }
        return defaultValue
    }

    /// A Go duration (`200ms`, `1m30s`); bare numbers are refused because their unit would be a guess.
    public func duration(_ key: String, default defaultValue: Duration, allowNegative: Bool = false) -> Duration {
        guard let text = scalar(key, expected: "a duration like 200ms or 5s") else { return defaultValue }
        return durationValue(text, at: path(key), allowNegative: allowNegative) ?? defaultValue
    }

    /// `text` as a duration, or nil with the problem reported at `at`.
    private func durationValue(_ text: String, at: ConfigPath, allowNegative: Bool) -> Duration? {
        guard let value = parseGoDuration(text) else {
            if Double(text) != nil {
                diagnostics.report(
                    at, "expected a duration like 200ms or 5s, got \(quoted(text)) (a bare number has no unit)")
            } else {
                diagnostics.report(at, "expected a duration like 200ms or 5s, got \(quoted(text))")
            }
            return nil
        }
        if !allowNegative, value < .zero {
            diagnostics.report(at, "must not be negative, got \(quoted(text))")
            return nil
        }
        return value
    }

    /// A timeout where 0 means "none" (nil), as Go's servers read their zero values; absent gives the default.
    public func disablableDuration(_ key: String, default defaultValue: Duration?) -> Duration? {
        guard let text = scalar(key, expected: "a duration like 200ms or 5s") else { return defaultValue }
        guard let value = durationValue(text, at: path(key), allowNegative: false) else { return defaultValue }
        return value == .zero ? nil : value
    }

    /// A duration that must be greater than zero (an interval or timeout where 0 has no meaning).
    public func positiveDuration(_ key: String, default defaultValue: Duration) -> Duration {
        let value = duration(key, default: defaultValue)
        if value == .zero {
            report(key, "must be greater than 0")
            return defaultValue
        }
        return value
    }

    /// A finite decimal number (`1.5`, `2`, `1e3`), optionally bounded below.
    public func double(_ key: String, default defaultValue: Double, min: Double? = nil) -> Double {
        guard let text = scalar(key, expected: "a number") else { return defaultValue }
        guard Self.isDecimalNumber(text), let value = Double(text), value.isFinite else {
            report(key, "expected a number, got \(quoted(text))")
            return defaultValue
        }
        if let min, value < min {
            report(key, "must be at least \(min), got \(text)")
            return defaultValue
        }
        return value
    }

    /// A listen address, checked with `parseHostPort`.
    public func endpoint(_ key: String, default defaultValue: String) -> String {
        guard let text = scalar(key, expected: "host:port") else { return defaultValue }
        guard parseHostPort(text) != nil else {
            report(key, "expected host:port, got \(quoted(text))")
            return defaultValue
        }
        return text
    }

    /// One of a fixed set of words, compared case-insensitively as the Collector does for levels.
    public func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String,
        default defaultValue: Choice
    ) -> Choice where Choice.RawValue == String {
        let allowed = Choice.allCases.map(\.rawValue)
        let expected = "one of " + allowed.joined(separator: ", ")
        guard let text = scalar(key, expected: expected) else { return defaultValue }
        guard let choice = Choice(rawValue: text.lowercased()) else {
            report(key, "expected \(expected), got \(quoted(text))")
            return defaultValue
        }
        return choice
    }

    // MARK: Structure

    /// Decodes the mapping under `key` with a nested reader, then reports its unknown keys. Returns nil when
    /// the key is absent; null decodes as an empty mapping (all defaults).
    public func section<Section>(_ key: String, _ decode: (MappingReader) -> Section) -> Section? {
        guard let value = value(key) else { return nil }
        let reader = MappingReader(value, at: path(key), diagnostics: diagnostics)
        let section = decode(reader)
        reader.finish()
        return section
    }

    public func section<Section: ConfigSection>(_ key: String, as type: Section.Type) -> Section? {
        section(key) { Section(from: $0) }
    }

    /// The strings of a list, with `written` counting every element, strings or not (others are reported).
    /// Absent or null reads as an empty list. Nil (reported) when the value is not a list, so callers can
    /// tell "wrong shape" from "empty".
    public func stringList(_ key: String) -> (strings: [String], written: Int)? {
        switch value(key) {
        case nil, .null?: return ([], 0)
        case .sequence(let elements)?:
            var strings: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .scalar(let text) = element else {
                    diagnostics.report(path(key).appending(index: index), "expected a string, got \(element.summary)")
                    continue
                }
                strings.append(text)
            }
            return (strings, elements.count)
        case let other?:
            report(key, "expected a list, got \(other.summary)")
            return nil
        }
    }

    /// The durations of a list (`[2ms, 1s]`), each read as `duration` reads one (no bare numbers, not
    /// negative); an element that is not a duration is reported at its index and left out. `written` counts
    /// every element. Nil when absent or null, or (reported) when the value is not a list.
    public func durationList(_ key: String) -> (durations: [(index: Int, value: Duration)], written: Int)? {
        switch value(key) {
        case nil, .null?: return nil
        case .sequence(let elements)?:
            var durations: [(index: Int, value: Duration)] = []
            for (index, element) in elements.enumerated() {
                let at = path(key).appending(index: index)
                guard case .scalar(let text) = element else {
                    diagnostics.report(at, "expected a duration like 200ms or 5s, got \(element.summary)")
                    continue
                }
                if let value = durationValue(text, at: at, allowNegative: false) {
                    durations.append((index, value))
                }
            }
            return (durations, elements.count)
        case let other?:
            report(key, "expected a list of durations like [2ms, 1s], got \(other.summary)")
            return nil
        }
    }

    /// The entries of a mapping from names to strings (`headers`, `external_labels`), in document order.
    /// Absent reads as empty; a null value reads as the empty string; a value that is not a scalar is
    /// reported at its own path and left out. Nil (reported) when the value is not a mapping.
    public func stringMap(_ key: String) -> [(name: String, value: String)]? {
        switch value(key) {
        case nil, .null?: return []
        case .mapping(let entries)?:
            var result: [(name: String, value: String)] = []
            for entry in entries {
                switch entry.value {
                case .null: result.append((entry.key, ""))
                case .scalar(let text): result.append((entry.key, text))
                case .sequence, .mapping:
                    diagnostics.report(path(key).appending(entry.key), "expected a string, got \(entry.value.summary)")
                }
            }
            return result
        case let other?:
            report(key, "expected a mapping of names to strings, got \(other.summary)")
            return nil
        }
    }

    /// Every entry, for mappings whose keys are names (component IDs, pipeline IDs) rather than fields.
    public func allEntries() -> [ConfigEntry] {
        consumed.formUnion(entries.map(\.key))
        return entries
    }

    /// Digits with an optional sign, fraction and exponent; no `inf`, `nan` or hex, which `Double` would take.
    public static func isDecimalNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "-" || first == "+" { scalars = scalars.dropFirst() }
        var sawDigit = false
        var sawDot = false
        while let scalar = scalars.first {
            if scalar.isASCIIDigit {
                sawDigit = true
            } else if scalar == ".", !sawDot {
                sawDot = true
            } else {
                break
            }
            scalars = scalars.dropFirst()
        }
        guard sawDigit else { return false }
        guard let marker = scalars.first else { return true }
        guard marker == "e" || marker == "E" else { return false }
        scalars = scalars.dropFirst()
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
        return !scalars.isEmpty && scalars.allSatisfy(\.isASCIIDigit)
    }

    public static func parseInteger(_ text: String) -> Int? {
        var digits = Substring(text)
        var sign = ""
        if let first = digits.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            digits = digits.dropFirst()
        }
        // Underscores only between digits: `1_000` but not `_1`, `1_` or `1__0`.
        guard let first = digits.first, let last = digits.last, first != "_", last != "_",
            !digits.contains("__"),
            digits.unicodeScalars.allSatisfy({ $0.isASCIIDigit || $0 == "_" })
        else { return nil }
        return Int(sign + digits.filter { $0 != "_" })
    }
}

/// A config section that decodes itself from a mapping, reporting problems through the reader.
public protocol ConfigSection {
    init(from reader: MappingReader)
}

extension MappingReader {
    /// The readers of a list of mappings under `key` (`actions: [{key: a, action: delete}]`), one per element, in
    /// order; nil when absent. An element that is not a mapping is reported (`expected` names what one looks like)
    /// and skipped. Each reader must be finished by the caller.
    public func mappingList(_ key: String, expected: String) -> [MappingReader]? {
        let elements: [ConfigValue]
        switch value(key) {
        case nil, .null?:
            return nil
        case .sequence(let sequence)?:
            elements = sequence
        case let other?:
            report(key, "expected a list of \(expected), got \(other.summary)")
            return []
        }
        var readers: [MappingReader] = []
        for (index, element) in elements.enumerated() {
            let at = path(key).appending(index: index)
            switch element {
            case .scalar, .sequence:
                diagnostics.report(at, "expected \(expected), got \(element.summary)")
            case .null, .mapping:
                readers.append(MappingReader(element, at: at, diagnostics: diagnostics))
            }
        }
        return readers
    }
}
