/// The name translation rules of Prometheus' OTLP translator, uncached.
enum PrometheusNameRules {
    /// `[a-zA-Z0-9:]`: the metric name characters kept by escaping (`_` separates words).
    @inline(__always)
    static func isMetricNameScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x61...0x7A, 0x41...0x5A, 0x30...0x39, 0x3A: return true
        default: return false
        }
    }

    /// `[a-zA-Z0-9]`: the label name characters kept by escaping.
    @inline(__always)
    static func isLabelNameScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x61...0x7A, 0x41...0x5A, 0x30...0x39: return true
        default: return false
        }
    }

    @inline(__always)
    static func isASCIIDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func hasUnderscoresOnly(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 == UInt8(ascii: "_") }
    }

    // MARK: Metric names

    /// The escaped metric name with unit and type suffixes, or "" where Prometheus rejects it.
    static func escapedMetricName(_ name: String, unit: String, kind: MetricNameKind, namespace: String) -> String {
        // Splitting on every character outside the alphabet, `_` included, also collapses and trims underscores.
        var tokens = words(of: name)

        let (main, per) = PrometheusUnits.suffixes(unit)
        addUnitTokens(&tokens, main: PrometheusUnits.cleanUp(main), per: PrometheusUnits.cleanUp(per))

        if kind == .monotonicCounter {
            tokens.removeAll { $0 == "total" }
            tokens.append("total")
        }
        // Only gauges get `_ratio`: OTel receivers often give counts of objects the unit "1".
        if unit == "1" && kind == .gauge {
            tokens.removeAll { $0 == "ratio" }
            tokens.append("ratio")
        }
        if !namespace.isEmpty {
            tokens.insert(namespace, at: 0)
        }

        var normalized = tokens.joined(separator: "_")
        if isASCIIDigit(normalized.utf8.first) {
            normalized = "_" + normalized
        }

        if normalized.isEmpty { return "" }
        if utf8Equal(normalized, name) { return normalized }
        return hasUnderscoresOnly(normalized) ? "" : normalized
    }

    /// The runs of metric name characters in `name`.
    static func words(of name: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if isMetricNameScalar(scalar) {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// Appends the unit suffixes unless a word of the name already equals them.
    static func addUnitTokens(_ tokens: inout [String], main: String, per: String) {
        var main = main
        var per = per
        if tokens.contains(main) { main = "" }

        if per == "per_" {
            per = ""
        } else {
            if per.hasSuffix("_") { per.removeLast() }
            if tokens.contains(per) { per = "" }
        }

        if !per.isEmpty, main.hasSuffix("_") { main.removeLast() }

        if !main.isEmpty { tokens.append(main) }
        if !per.isEmpty { tokens.append(per) }
    }

    // MARK: Label names

    /// Whether escaping leaves `key` unchanged: only `[a-zA-Z0-9_]`, starting with a letter, or with `__` and not
    /// only underscores.
    static func isLabelNameKeptAsIs(_ key: String) -> Bool {
        withUTF8Bytes(key) { bytes in
            guard let first = bytes.first else { return false }
            var i = 1
            switch first {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                break
            case UInt8(ascii: "_"):
                guard bytes.count > 1, bytes[1] == UInt8(ascii: "_") else { return false }
                i = 2
            default:
                return false
            }
            var sawNonUnderscore = first != UInt8(ascii: "_")
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    sawNonUnderscore = true
                case UInt8(ascii: "_"):
                    break
                default:
                    return false
                }
                i += 1
            }
            return sawNonUnderscore
        }
    }

    /// The escaped label name, or "" where Prometheus rejects it.
    static func escapedLabelName(_ key: String) -> String {
        guard !key.isEmpty else { return "" }
        // Each character outside the alphabet becomes one `_`; runs are kept (Prometheus' default,
        // `label_name_preserve_multiple_underscores: true`).
        var scalars = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            scalars.append(isLabelNameScalar(scalar) ? scalar : "_")
        }
        var name = String(scalars)
        let utf8 = name.utf8
        if isASCIIDigit(utf8.first) {
            name = "key_" + name
        } else if utf8.first == UInt8(ascii: "_"), utf8.dropFirst().first != UInt8(ascii: "_") {
            // Prometheus' default `label_name_underscore_sanitization: true`.
            name = "key" + name
        }
        return hasUnderscoresOnly(name) ? "" : name
    }

    /// A label name under no translation: the key, or "" where Prometheus rejects it.
    static func utf8LabelName(_ key: String) -> String {
        hasUnderscoresOnly(key) ? "" : key
    }
}
