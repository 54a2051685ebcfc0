/// How OTLP metric and attribute names become Prometheus names, for the `prometheus` and
/// `prometheusremotewrite` exporters.
///
/// Written as our key `translation` (`underscore_escaping`, `no_translation`, any case) or as the
/// Collector's `translation_strategy` (`UnderscoreEscapingWithSuffixes`, `NoTranslation`, exact case);
/// a component may use only one of the two keys.
public enum PrometheusTranslationStrategy: String, Sendable, CaseIterable {
    /// Characters outside Prometheus' name rules become `_` (the Collector's `UnderscoreEscapingWithSuffixes`).
    case underscoreEscaping = "underscore_escaping"
    /// Names are passed through unchanged (the Collector's `NoTranslation`).
    case noTranslation = "no_translation"
}

extension MappingReader {
    /// The Collector's `translation_strategy` values this gateway implements, with whether each adds unit and
    /// type suffixes.
    private static let collectorStrategies: [(name: String, strategy: PrometheusTranslationStrategy, suffixes: Bool)] =
        [
            ("UnderscoreEscapingWithSuffixes", .underscoreEscaping, true),
            ("NoTranslation", .noTranslation, false),
        ]

    /// Reads `translation` or the Collector's `translation_strategy`. `collectorSuffixes` is set only when
    /// `translation_strategy` was written and understood: whether that strategy adds metric suffixes.
    public func prometheusTranslation(
        default defaultValue: PrometheusTranslationStrategy
    ) -> (strategy: PrometheusTranslationStrategy, collectorSuffixes: Bool?) {
        let ours = contains("translation")
        var strategy = choice("translation", default: defaultValue)
        guard contains("translation_strategy") else { return (strategy, nil) }
        if ours {
            _ = value("translation_strategy")
            report("translation_strategy", "cannot be combined with translation; write only one of them")
            return (strategy, nil)
        }
        let names = Self.collectorStrategies.map(\.name)
        let expected = "one of " + names.joined(separator: ", ")
        guard let text = scalar("translation_strategy", expected: expected) else { return (strategy, nil) }
        guard let known = Self.collectorStrategies.first(where: { $0.name == text }) else {
            report("translation_strategy", "expected \(expected), got \(quoted(text))")
            return (strategy, nil)
        }
        strategy = known.strategy
        return (strategy, known.suffixes)
    }

    /// `key: {enabled: bool}`, the Collector's shape for switches such as `target_info`.
    public func enabledSection(_ key: String, default defaultValue: Bool) -> Bool {
        section(key) { $0.bool("enabled", default: defaultValue) } ?? defaultValue
    }

    /// A map of Prometheus label names to non-empty values (`external_labels`, `const_labels`).
    public func labelMap(_ key: String) -> [String: String] {
        var labels: [String: String] = [:]
        for (name, value) in stringMap(key) ?? [] {
            let at = path(key).appending(name)
            if !isPrometheusLabelName(name) {
                diagnostics.report(at, "invalid label name; expected [a-zA-Z_][a-zA-Z0-9_]*")
            } else if name.hasPrefix("__") {
                diagnostics.report(at, "label names starting with __ are reserved for Prometheus")
            } else if value.isEmpty {
                diagnostics.report(at, "must not be empty (an empty value removes the label in Prometheus)")
            } else {
                labels[name] = value
            }
        }
        return labels
    }

    /// `namespace`: a prefix for every metric name, empty or a valid name.
    public func metricNamespace(_ key: String) -> String {
        let text = string(key, default: "")
        if !text.isEmpty, !isPrometheusLabelName(text) {
            report(key, "expected a name matching [a-zA-Z_][a-zA-Z0-9_]*, got \(quoted(text))")
            return ""
        }
        return text
    }

    /// `promote_resource_attributes`: resource attribute keys copied onto every series, each once.
    /// `copyAll` is `resource_to_telemetry_conversion.enabled`, which already copies every attribute.
    public func promotedResourceAttributes(_ key: String, copyAll: Bool) -> [String] {
        guard let list = stringList(key) else { return [] }
        var keys: [String] = []
        for text in list.strings {
            if text.isEmpty {
                report(key, "attribute keys must not be empty")
            } else if keys.contains(text) {
                report(key, "\(quoted(text)) is listed more than once")
            } else {
                keys.append(text)
            }
        }
        if copyAll, !keys.isEmpty {
            report(
                key,
                "cannot be combined with resource_to_telemetry_conversion.enabled, which already copies every resource attribute"
            )
        }
        return keys
    }
}

/// Prometheus' label name rule, `[a-zA-Z_][a-zA-Z0-9_]*`.
public func isPrometheusLabelName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
    return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
}
