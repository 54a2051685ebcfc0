public import ClientTLS
public import Logging

/// Builds an exporter's TLS from its `tls` section when the exporter starts.
public enum ClientTLSWiring {
    /// ALPN for gRPC: HTTP/2 is required.
    public static let grpcProtocols = ["h2"]
    /// ALPN for the HTTP/1.1 client.
    public static let http1Protocols = ["http/1.1"]

    /// The TLS of exporter `id`, or nil when `enabled` is false (plaintext). The files are read here, once; one
    /// that is missing, unreadable or not PEM fails the start with a line naming the exporter and the file.
    public static func make(
        _ id: ComponentID, _ config: ClientTLSConfig, enabled: Bool, applicationProtocols: [String], logger: Logger
    ) throws -> ClientTLS? {
        guard enabled else { return nil }
        let options = ClientTLS.Options(
            caFile: config.caFile, certFile: config.certFile, keyFile: config.keyFile,
            insecureSkipVerify: config.insecureSkipVerify, serverNameOverride: config.serverNameOverride,
            minVersion: version(config.minVersion), maxVersion: config.maxVersion.map(version))
        let tls: ClientTLS
        do {
            tls = try ClientTLS(options, applicationProtocols: applicationProtocols)
        } catch {
            throw ComponentBuildError("exporters.\(id).\(error.description)")
        }
        if config.insecureSkipVerify {
            logger.warning(
                "tls.insecure_skip_verify is true: the server's certificate is not verified, so the connection is encrypted but not authenticated",
                metadata: ["exporter": "\(id)"])
        }
        return tls
    }

    public static func version(_ version: ClientTLSConfig.Version) -> ClientTLS.Version {
        switch version {
        case .tls12: return .tls12
        case .tls13: return .tls13
        }
    }
}
