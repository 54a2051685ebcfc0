internal import NIOSSL

extension ClientTLS {
    /// What an exporter's `tls` section configures, in the Collector's terms.
    public struct Options: Sendable, Equatable {
        /// `ca_file`: PEM CA certificates that verify the server; nil uses the system's trust roots.
        public var caFile: String?
        /// `cert_file`: the PEM client certificate (chain) for mutual TLS; used only together with `keyFile`.
        public var certFile: String?
        /// `key_file`: the unencrypted PEM private key of `certFile`.
        public var keyFile: String?
        /// `insecure_skip_verify`: accept any certificate and name.
        public var insecureSkipVerify: Bool
        /// `server_name_override`: the name sent in SNI and verified, instead of the host connected to.
        public var serverNameOverride: String?
        /// `min_version`.
        public var minVersion: Version
        /// `max_version`; nil is the highest supported.
        public var maxVersion: Version?

        public init(
            caFile: String? = nil,
            certFile: String? = nil,
            keyFile: String? = nil,
            insecureSkipVerify: Bool = false,
            serverNameOverride: String? = nil,
            minVersion: Version = .tls12,
            maxVersion: Version? = nil
        ) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.insecureSkipVerify = insecureSkipVerify
            self.serverNameOverride = serverNameOverride
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    /// A TLS protocol version; older ones are not offered.
    public enum Version: Sendable, Equatable {
        case tls12
        case tls13

        var nioVersion: TLSVersion {
            switch self {
            case .tls12: return .tlsv12
            case .tls13: return .tlsv13
            }
        }
    }
}
