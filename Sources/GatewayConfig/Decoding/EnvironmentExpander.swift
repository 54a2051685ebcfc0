public import ComponentKit

/// Expands `${env:NAME}`, `${env:NAME:-default}` and `${NAME}` in scalar text, and `$$` to a literal `$`,
/// as the Collector's env provider does.
///
/// An unset variable without a default expands to the empty string; the default applies only when the
/// variable is unset, not when it is set to an empty value (the Collector's rule, unlike bash's `:-`).
/// Expanded text is not expanded again. Other providers (`file:`, `http:`, `yaml:`) are refused.
struct EnvironmentExpander {
    let environment: [String: String]

    /// The expanded text, or nil (with the problem reported) when a reference cannot be expanded.
    func expand(_ text: String, at path: ConfigPath, diagnostics: Diagnostics) -> String? {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let afterDollar = rest.index(after: dollar)
            if afterDollar < rest.endIndex, rest[afterDollar] == "$" {
                result += "$"
                rest = rest[rest.index(after: afterDollar)...]
            } else if afterDollar < rest.endIndex, rest[afterDollar] == "{" {
                let bodyStart = rest.index(after: afterDollar)
                guard let close = rest[bodyStart...].firstIndex(of: "}") else {
                    diagnostics.report(path, "unterminated \"${\" in \(quoted(text)) (write $$ for a literal $)")
                    return nil
                }
                guard let value = resolve(rest[bodyStart..<close], in: text, at: path, diagnostics: diagnostics)
                else { return nil }
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result += "$"
                rest = rest[afterDollar...]
            }
        }
        result += rest
        return result
    }

    private func resolve(
        _ reference: Substring,
        in text: String,
        at path: ConfigPath,
        diagnostics: Diagnostics
    ) -> String? {
        var selector = reference
        // `${NAME:-default}` has no scheme: the colon that starts `:-` belongs to the default.
        if let colon = reference.firstIndex(of: ":"), !reference[colon...].hasPrefix(":-") {
            let scheme = reference[..<colon]
            guard scheme == "env" else {
                diagnostics.report(
                    path,
                    "unsupported config provider \(quoted(String(scheme))) in \(quoted(text)) (only env is supported)")
                return nil
            }
            selector = reference[reference.index(after: colon)...]
        }
        var name = selector
        var defaultValue: Substring?
        if let marker = selector.firstRange(of: ":-") {
            name = selector[..<marker.lowerBound]
            defaultValue = selector[marker.upperBound...]
        }
        guard Self.isValidName(name) else {
            diagnostics.report(path, "invalid environment variable name \(quoted(String(name))) in \(quoted(text))")
            return nil
        }
        if let value = environment[String(name)] { return value }
        if let defaultValue { return String(defaultValue) }
        diagnostics.noteUnset(path, String(name))
        return ""
    }

    /// The Collector's rule: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }
}
