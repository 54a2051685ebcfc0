/// OTLP (UCUM) units as Prometheus name suffixes, as Prometheus' OTLP translator maps them.
enum PrometheusUnits {
    /// Main units to words; a unit not listed is used as written.
    static let mainUnits: [String: String] = [
        // Time
        "d": "days",
        "h": "hours",
        "min": "minutes",
        "s": "seconds",
        "ms": "milliseconds",
        "us": "microseconds",
        "ns": "nanoseconds",
        // Bytes
        "By": "bytes",
        "KiBy": "kibibytes",
        "MiBy": "mebibytes",
        "GiBy": "gibibytes",
        "TiBy": "tibibytes",
        "KBy": "kilobytes",
        "MBy": "megabytes",
        "GBy": "gigabytes",
        "TBy": "terabytes",
        // SI
        "m": "meters",
        "V": "volts",
        "A": "amperes",
        "J": "joules",
        "W": "watts",
        "g": "grams",
        // Misc
        "Cel": "celsius",
        "Hz": "hertz",
        "1": "",
        "%": "percent",
    ]

    /// Units after `/`, in the singular; a unit not listed is used as written.
    static let perUnits: [String: String] = [
        "s": "second",
        "m": "minute",
        "h": "hour",
        "d": "day",
        "w": "week",
        "mo": "month",
        "y": "year",
    ]

    /// The main and `per_` suffixes for `unit`, before escaping: the unit splits at its first `/`, each side is
    /// trimmed of whitespace and dropped when empty or when it holds `{` or `}` (annotations such as `{token}`).
    static func suffixes(_ unit: String) -> (main: String, per: String) {
        guard !unit.isEmpty else { return ("", "") }
        let mainPart: Substring
        let perPart: Substring?
        if let slash = unit.firstIndex(of: "/") {
            mainPart = unit[..<slash]
            perPart = unit[unit.index(after: slash)...]
        } else {
            mainPart = unit[...]
            perPart = nil
        }
        var main = ""
        let mainUnit = trimmingWhitespace(mainPart)
        if !mainUnit.isEmpty, !containsBrace(mainUnit) {
            main = mainUnits[mainUnit] ?? mainUnit
        }
        var per = ""
        if let perPart, !perPart.isEmpty {
            let perUnit = trimmingWhitespace(perPart)
            if !perUnit.isEmpty, !containsBrace(perUnit) {
                per = perUnits[perUnit] ?? perUnit
            }
            if !per.isEmpty { per = "per_" + per }
        }
        return (main, per)
    }

    /// A suffix in the metric name alphabet: other characters become `_`, runs of `_` collapse, and one leading
    /// `_` goes.
    static func cleanUp(_ suffix: String) -> String {
        guard !suffix.isEmpty else { return "" }
        var out = String.UnicodeScalarView()
        var previousWasUnderscore = false
        for scalar in suffix.unicodeScalars {
            let valid = PrometheusNameRules.isMetricNameScalar(scalar)
            if valid {
                out.append(scalar)
                previousWasUnderscore = false
            } else if !previousWasUnderscore {
                out.append("_")
                previousWasUnderscore = true
            }
        }
        if out.first == "_" { out.removeFirst() }
        return String(out)
    }

    private static func containsBrace(_ s: String) -> Bool {
        s.utf8.contains { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") }
    }

    /// Trims Unicode white space from both ends (Go's `strings.TrimSpace`).
    private static func trimmingWhitespace(_ s: Substring) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
