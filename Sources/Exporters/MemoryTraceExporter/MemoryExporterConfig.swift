public import ComponentKit

/// The `memory` exporter, which keeps recent traces in memory and serves them with a Tempo-compatible query
/// API, so Grafana can use the gateway as a Tempo data source: `exporters.memory[/name]`. Ours, not in the
/// Collector. Traces pipelines only.
public struct MemoryExporterConfig: Sendable, Equatable {
    /// `endpoint`: the listen address of the query API, `host:port`. Default `127.0.0.1:3200`, Tempo's HTTP
    /// port.
    public var endpoint: String
    /// `max_bytes`: the most span data kept, in bytes, at least 1024; the oldest traces are dropped beyond
    /// it. Default 67108864 (64 MiB).
    public var maxBytes: Int
    /// `tls`: serve the query API over https only (`cert_file`, `key_file`, `client_ca_file`, versions, as on
    /// the `otlp` receiver). Default nil (plain http).
    public var tls: ServerTLSConfig?

    public init(endpoint: String = "127.0.0.1:3200", maxBytes: Int = 67_108_864, tls: ServerTLSConfig? = nil) {
        self.endpoint = endpoint
        self.maxBytes = maxBytes
        self.tls = tls
    }
}

extension MemoryExporterConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = MemoryExporterConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: defaults.endpoint),
            maxBytes: reader.int("max_bytes", default: defaults.maxBytes, min: 1024),
            tls: reader.section("tls", as: ServerTLSConfig.self)
        )
    }
}
