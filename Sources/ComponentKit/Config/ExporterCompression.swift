/// How an OTLP exporter compresses request bodies: `compression` of `otlp` and `otlphttp`, with the Collector's
/// values: `gzip` (its default), `zstd`, `snappy`, `deflate`/`zlib` and `lz4` (HTTP only), and `none` or the empty
/// string for none.
public enum ExporterCompression: String, Sendable, CaseIterable {
    /// gzip, which every OTLP receiver must accept; the Collector's default.
    case gzip
    case zstd
    /// Block format over HTTP, the framed format over gRPC (what gRPC peers read).
    case snappy
    /// zlib-wrapped deflate (`zlib` is the same).
    case deflate
    case zlib
    case lz4
    /// Bodies are sent uncompressed; written `none` or `""`.
    case none
}

extension MappingReader {
    /// `compression`: one of the values above (any case), or `""` for none.
    public func compression(_ key: String, default defaultValue: ExporterCompression) -> ExporterCompression {
        if case .scalar("")? = value(key) { return .none }
        return choice(key, default: defaultValue)
    }
}
