internal import ClientTLS
internal import GatewayConfig
internal import GatewayCore
internal import NIOCore
internal import OTLPReceiver
internal import ServerTLS

/// Builds a listener's TLS and authentication from its `tls` and `auth` sections when the gateway starts. Files
/// are read here, once; a bad one fails the start with a line naming the YAML key and the file.
enum ListenerSecurityWiring {
    /// ALPN for gRPC: its clients refuse a TLS connection that does not select `h2`.
    static let grpcProtocols = ["h2"]
    /// ALPN for the HTTP/1.1 listeners (none of them speaks HTTP/2).
    static let http1Protocols = ["http/1.1"]

    /// The TLS handlers of the listener at `path` (`receivers.otlp.protocols.grpc`), nil without `tls`.
    static func tls(
        _ config: ServerTLSConfig?, path: String, applicationProtocols: [String]
    ) throws -> OTLPReceiver.TLSHandlers? {
        guard let config else { return nil }
        let options = ServerTLS.Options(
            certFile: config.certFile, keyFile: config.keyFile, clientCAFile: config.clientCAFile,
            minVersion: version(config.minVersion), maxVersion: config.maxVersion.map(version))
        let tls: ServerTLS
        do {
            tls = try ServerTLS(options, applicationProtocols: applicationProtocols)
        } catch {
            throw PipelineGraph.BuildError(description: "\(path).\(error.description)")
        }
        return { onHandshakeFailure in tls.makeHandlers(onHandshakeFailure: onHandshakeFailure) }
    }

    /// The TLS handlers of one of the gateway's own HTTP/1.1 endpoints (prometheus exporter, health_check) at
    /// `path`, nil without `tls`. Failed handshakes there are not counted: only the connection is closed.
    static func endpointTLS(_ config: ServerTLSConfig?, path: String) throws -> (
        @Sendable () throws -> [any ChannelHandler]
    )? {
        guard let handlers = try tls(config, path: path, applicationProtocols: http1Protocols) else { return nil }
        return { try handlers { _ in } }
    }

    /// The authenticator named by the listener at `path`, nil without `auth`.
    static func authenticator(
        _ id: ComponentID?, path: String, _ config: GatewayConfiguration
    ) throws -> RequestAuthenticator? {
        guard let id else { return nil }
        let key = "\(path).auth.authenticator"
        switch config.extensions[id] {
        case .bearerTokenAuth(let bearer)?:
            var token = bearer.token ?? ""
            if let file = bearer.filename {
                guard let text = readTextFile(file) else {
                    throw PipelineGraph.BuildError(description: "extensions.\(id).filename: cannot read \(file)")
                }
                token = text.trimmingCharacters(in: " \n\r\t")
            }
            guard !token.isEmpty else {
                throw PipelineGraph.BuildError(description: "extensions.\(id): the token is empty")
            }
            return RequestAuthenticator(name: id.description, scheme: bearer.scheme, credentials: [Array(token.utf8)])
        case .basicAuth(let basic)?:
            guard let htpasswd = basic.htpasswd else {
                throw PipelineGraph.BuildError(
                    description:
                        "\(key): extension \(id) has no htpasswd, which a receiver needs (client_auth is for exporters)"
                )
            }
            var users: [String: String] = [:]
            if let file = htpasswd.file {
                guard let text = readTextFile(file) else {
                    throw PipelineGraph.BuildError(description: "extensions.\(id).htpasswd.file: cannot read \(file)")
                }
                for (user, password) in HTPasswdLine.parse(text) {
                    if HTPasswdLine.isHashed(Substring(password)) {
                        throw PipelineGraph.BuildError(
                            description:
                                "extensions.\(id).htpasswd.file: \(file): user \(user) has a hashed password (bcrypt, MD5, SHA), which is not supported; write it in plain text"
                        )
                    }
                    users[user] = password
                }
            }
            // Inline entries win over the file's, as in the Collector.
            for (user, password) in HTPasswdLine.parse(htpasswd.inline ?? "") { users[user] = password }
            guard !users.isEmpty else {
                throw PipelineGraph.BuildError(description: "extensions.\(id).htpasswd: no user:password lines")
            }
            let credentials = users.sorted { $0.key < $1.key }.map { user, password in
                Array(Base64.encode(Array("\(user):\(password)".utf8)).utf8)
            }
            return RequestAuthenticator(name: id.description, scheme: "Basic", credentials: credentials)
        default:
            throw PipelineGraph.BuildError(description: "\(key): \(id) is not a bearertokenauth or basicauth extension")
        }
    }

    private static func version(_ version: ClientTLSConfig.Version) -> ClientTLS.Version {
        switch version {
        case .tls12: return .tls12
        case .tls13: return .tls13
        }
    }
}
