public import NIOCore
internal import NIOSSL

/// TLS for an exporter's client connections: one `NIOSSLContext`, built when the exporter starts from the
/// configured files, and a fresh client handler for every connection.
///
/// Building the context reads the CA, certificate and key files once, so a missing or malformed file fails the
/// gateway's start rather than every connection; the system's trust roots are used when no CA file is given.
/// The transports know nothing of NIOSSL: they take `makeHandlers(host:port:)` as a closure and put its
/// handlers first in the pipeline.
public struct ClientTLS: Sendable {
    /// The options as configured.
    public let options: Options
    /// The ALPN protocols offered, e.g. `["h2"]` for gRPC or `["http/1.1"]`.
    public let applicationProtocols: [String]
    private let context: NIOSSLContext

    /// Loads the files named in `options` and builds the context. Blocking file I/O: call it at start, not on an
    /// event loop.
    public init(_ options: Options, applicationProtocols: [String]) throws(ConfigurationError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = options.minVersion.nioVersion
        configuration.maximumTLSVersion = options.maxVersion?.nioVersion
        configuration.applicationProtocols = applicationProtocols
        configuration.certificateVerification = options.insecureSkipVerify ? .none : .fullVerification
        // Closing waits this long at most for the server's close_notify; an exporter has nothing left to read.
        configuration.shutdownTimeout = .seconds(1)
        if let caFile = options.caFile {
            configuration.trustRoots = .certificates(try PEMFiles.certificates(key: "ca_file", path: caFile))
        } else {
            configuration.trustRoots = .default
        }
        if let certFile = options.certFile, let keyFile = options.keyFile {
            let chain = try PEMFiles.certificates(key: "cert_file", path: certFile)
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(try PEMFiles.privateKey(key: "key_file", path: keyFile))
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch NIOSSLError.failedToLoadPrivateKey {
            throw ConfigurationError(
                description:
                    "tls.key_file: \(options.keyFile ?? "") is not the private key of tls.cert_file \(options.certFile ?? "")"
            )
        } catch {
            throw ConfigurationError(description: "tls: cannot set up TLS: \(TLSFailure.reason(error))")
        }
        self.options = options
        self.applicationProtocols = applicationProtocols
    }

    /// The name sent in SNI and checked against the server's certificate when connecting to `host`:
    /// `server_name_override`, else `host` unless it is an IP address. IP addresses are not allowed in SNI; with
    /// none, NIOSSL still verifies the certificate's IP address entries against the address connected to.
    ///
    /// NIOSSL accepts the certificate when any of its entries matches: a DNS entry this name, or an IP entry the
    /// address connected to (whatever the name), so an override cannot make a certificate for that IP fail.
    public func serverName(forHost host: String) -> String? {
        if let override = options.serverNameOverride { return override }
        let unbracketed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (try? SocketAddress(ipAddress: unbracketed, port: 0)) == nil ? host : nil
    }

    /// The handlers that go first in a new connection's pipeline, in order: the TLS client handler, and one that
    /// turns TLS errors into a `TLSFailure` naming `host:port`. Call it on the connection's event loop (from a
    /// channel initializer).
    public func makeHandlers(host: String, port: Int) throws -> [any ChannelHandler] {
        let name = serverName(forHost: host)
        let peer = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return [
            try NIOSSLClientHandler(context: context, serverHostname: name),
            TLSFailureHandler(peer: peer, serverName: name ?? host),
        ]
    }
}

extension ClientTLS {
    /// Why TLS could not be set up: a file missing, unreadable or not PEM, or a key not matching its certificate.
    /// The description starts with the `tls` key (`tls.ca_file: cannot open /etc/ca.pem: …`) and names the file.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }
}
