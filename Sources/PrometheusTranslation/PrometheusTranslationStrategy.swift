/// How OTLP metric and attribute names become Prometheus names, as Prometheus' OTLP translator's
/// `translation_strategy` setting.
public enum PrometheusTranslationStrategy: String, Sendable, CaseIterable {
    /// `UnderscoreEscapingWithSuffixes`, the default: characters outside the classic Prometheus name alphabet become
    /// `_`, and metric names get unit and type suffixes (`_seconds`, `_total`, `_ratio`).
    case underscoreEscaping = "underscore_escaping"
    /// `NoTranslation`: metric and label names are kept as UTF-8, and no suffixes are added.
    case noTranslation = "no_translation"

    /// Whether names are escaped to the classic alphabet (`[a-zA-Z0-9_:]` for metrics, `[a-zA-Z0-9_]` for labels).
    var escapes: Bool { self == .underscoreEscaping }

    /// Whether metric names get unit and type suffixes.
    var addsSuffixes: Bool { self == .underscoreEscaping }
}
