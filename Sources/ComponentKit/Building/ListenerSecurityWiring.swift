internal import ClientTLS
public import NIOCore
internal import ServerTLS

/// Makes the TLS handlers that go first in an accepted connection's pipeline, given what to call when a handshake
/// fails. A closure, so listeners need no TLS library.
public typealias ServerTLSHandlers =
    @Sendable (_ onHandshakeFailure: @escaping @Sendable (String) -> Void) throws -> [any ChannelHandler]

/// Builds a listener's TLS from its `tls` section when the gateway starts. Files are read here, once; a bad one
/// fails the start with a line naming the YAML key and the file.
public enum ListenerSecurityWiring {
    /// ALPN for gRPC: its clients refuse a TLS connection that does not select `h2`.
    public static let grpcProtocols = ["h2"]
    /// ALPN for the HTTP/1.1 listeners (none of them speaks HTTP/2).
    public static let http1Protocols = ["http/1.1"]

    /// The TLS handlers of the listener at `path` (`receivers.otlp.protocols.grpc`), nil without `tls`.
    public static func tls(
        _ config: ServerTLSConfig?, path: String, applicationProtocols: [String]
    ) throws -> ServerTLSHandlers? {
        guard let config else { return nil }
        let options = ServerTLS.Options(
            certFile: config.certFile, keyFile: config.keyFile, clientCAFile: config.clientCAFile,
            minVersion: ClientTLSWiring.version(config.minVersion),
            maxVersion: config.maxVersion.map(ClientTLSWiring.version))
        let tls: ServerTLS
        do {
            tls = try ServerTLS(options, applicationProtocols: applicationProtocols)
        } catch {
            throw ComponentBuildError("\(path).\(error.description)")
        }
        return { onHandshakeFailure in tls.makeHandlers(onHandshakeFailure: onHandshakeFailure) }
    }

    /// The TLS handlers of one of the gateway's own HTTP/1.1 endpoints (prometheus exporter, health_check) at
    /// `path`, nil without `tls`. Failed handshakes there are not counted: only the connection is closed.
    public static func endpointTLS(_ config: ServerTLSConfig?, path: String) throws -> (
        @Sendable () throws -> [any ChannelHandler]
    )? {
        guard let handlers = try tls(config, path: path, applicationProtocols: http1Protocols) else { return nil }
        return { try handlers { _ in } }
    }
}
