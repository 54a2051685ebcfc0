public import ClientTLS
public import NIOCore
internal import NIOSSL

/// TLS for a listener: one `NIOSSLContext`, built when the gateway starts from the configured files, and a fresh
/// server handler for every accepted connection.
///
/// Building the context reads the certificate, key and client CA files once, so a missing or malformed file fails
/// the start rather than every handshake. As on the client side the servers know nothing of NIOSSL: they take
/// `makeHandlers` as a closure and put its handlers first in each connection's pipeline.
public struct ServerTLS: Sendable {
    /// What a listener's `tls` section configures, in the Collector's terms.
    public struct Options: Sendable, Equatable {
        /// `cert_file`: the PEM server certificate (chain).
        public var certFile: String
        /// `key_file`: the unencrypted PEM private key of `certFile`.
        public var keyFile: String
        /// `client_ca_file`: PEM CA certificates that verify client certificates; set, a client certificate is
        /// required (mutual TLS).
        public var clientCAFile: String?
        /// `min_version`.
        public var minVersion: ClientTLS.Version
        /// `max_version`; nil is the highest supported.
        public var maxVersion: ClientTLS.Version?

        public init(
            certFile: String, keyFile: String, clientCAFile: String? = nil, minVersion: ClientTLS.Version = .tls12,
            maxVersion: ClientTLS.Version? = nil
        ) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.clientCAFile = clientCAFile
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    /// The options as configured.
    public let options: Options
    /// The ALPN protocols selected from, e.g. `["h2"]` for gRPC (its clients insist on it) or `["http/1.1"]`.
    public let applicationProtocols: [String]
    private let context: NIOSSLContext

    /// Loads the files named in `options` and builds the context. Blocking file I/O: call it at start, not on an
    /// event loop. Errors start with the `tls` key and name the file (`tls.cert_file: cannot open …`).
    public init(_ options: Options, applicationProtocols: [String]) throws(ClientTLS.ConfigurationError) {
        let chain = try PEMFiles.certificates(key: "cert_file", path: options.certFile)
        let key = try PEMFiles.privateKey(key: "key_file", path: options.keyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = Self.nioVersion(options.minVersion)
        configuration.maximumTLSVersion = options.maxVersion.map(Self.nioVersion)
        configuration.applicationProtocols = applicationProtocols
        if let clientCAFile = options.clientCAFile {
            configuration.trustRoots = .certificates(
                try PEMFiles.certificates(key: "client_ca_file", path: clientCAFile))
            // A client certificate names no host we could check; being signed by the CA is what counts.
            configuration.certificateVerification = .noHostnameVerification
        } else {
            configuration.certificateVerification = .none
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch NIOSSLError.failedToLoadPrivateKey {
            throw ClientTLS.ConfigurationError(
                description:
                    "tls.key_file: \(options.keyFile) is not the private key of tls.cert_file \(options.certFile)"
            )
        } catch {
            throw ClientTLS.ConfigurationError(description: "tls: cannot set up TLS: \(TLSFailure.reason(error))")
        }
        self.options = options
        self.applicationProtocols = applicationProtocols
    }

    private static func nioVersion(_ version: ClientTLS.Version) -> TLSVersion {
        switch version {
        case .tls12: return .tlsv12
        case .tls13: return .tlsv13
        }
    }

    /// The handlers that go first in an accepted connection's pipeline, in order: the TLS server handler, and one
    /// that reports a failed handshake to `onHandshakeFailure` (with the reason in words) and closes the
    /// connection, so one bad client touches nothing else. Call it on the connection's event loop.
    public func makeHandlers(
        onHandshakeFailure: @escaping @Sendable (_ reason: String) -> Void
    ) -> [any ChannelHandler] {
        [NIOSSLServerHandler(context: context), ServerTLSFailureHandler(onHandshakeFailure: onHandshakeFailure)]
    }
}
