/// How an OTLP exporter compresses request bodies: `compression` of `otlp` and `otlphttp`.
///
/// The Collector's values `gzip`, `none` and the empty string (also none); the other algorithms the
/// Collector offers (`zstd`, `snappy`, …) are refused.
public enum ExporterCompression: String, Sendable, CaseIterable {
    /// gzip, which every OTLP receiver must accept; the Collector's default.
    case gzip
    /// Bodies are sent uncompressed; written `none` or `""`.
    case none
}

extension MappingReader {
    /// `compression`: `gzip` or `none` (any case), or `""` for none.
    public func compression(_ key: String, default defaultValue: ExporterCompression) -> ExporterCompression {
        if case .scalar("")? = value(key) { return .none }
        return choice(key, default: defaultValue)
    }
}
