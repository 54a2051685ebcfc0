public import ComponentKit

/// The `health_check` extension, an HTTP endpoint answering whether the gateway is up:
/// `extensions.health_check[/name]`.
public struct HealthCheckConfig: Sendable, Equatable {
    /// `endpoint`: the listen address, `host:port`. Default `127.0.0.1:13133`.
    public var endpoint: String
    /// `path`: the URL path that answers, starting with `/`. Default `/`.
    public var path: String
    /// `tls`: serve over https only (`cert_file`, `key_file`, `client_ca_file`, versions, as on the `otlp`
    /// receiver). Default nil (plain http).
    public var tls: ServerTLSConfig?

    public init(endpoint: String = "127.0.0.1:13133", path: String = "/", tls: ServerTLSConfig? = nil) {
        self.endpoint = endpoint
        self.path = path
        self.tls = tls
    }
}

extension HealthCheckConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = HealthCheckConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: defaults.endpoint),
            path: reader.string("path", default: defaults.path)
        )
        tls = reader.section("tls", as: ServerTLSConfig.self)
        if !path.hasPrefix("/") || path.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) {
            reader.report("path", "expected a URL path starting with /, got \(quoted(path))")
            path = defaults.path
        }
    }
}
