/// A listener's `tls` section: the Collector's `configtls.ServerConfig` keys this gateway implements.
///
/// Present means the listener speaks TLS only; a plaintext client fails its handshake. The certificate files are
/// read when the gateway starts, not here, so a file missing at start fails the start with a message naming the
/// key and the file.
public struct ServerTLSConfig: Sendable, Equatable {
    /// `cert_file`: PEM file of the server certificate (chain). Required.
    public var certFile: String
    /// `key_file`: PEM file of the unencrypted private key of `cert_file`. Required.
    public var keyFile: String
    /// `client_ca_file`: PEM file of the CA certificates that verify client certificates. Set, it turns on mutual
    /// TLS: a client must present a certificate signed by one of them. Default nil (no client certificates).
    public var clientCAFile: String?
    /// `min_version`: the lowest TLS version accepted, `1.2` or `1.3`. Default `1.2`, as the Collector.
    public var minVersion: ClientTLSConfig.Version
    /// `max_version`: the highest TLS version accepted, at least `min_version`. Default nil (the highest, 1.3).
    public var maxVersion: ClientTLSConfig.Version?

    public init(
        certFile: String,
        keyFile: String,
        clientCAFile: String? = nil,
        minVersion: ClientTLSConfig.Version = .tls12,
        maxVersion: ClientTLSConfig.Version? = nil
    ) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
        self.minVersion = minVersion
        self.maxVersion = maxVersion
    }
}

extension ServerTLSConfig: ConfigSection {
    /// Collector keys that are not implemented, reported by name rather than as unknown.
    private static let unsupportedKeys = [
        "cert_pem", "key_pem", "client_ca_file_reload", "reload_interval", "include_system_ca_certs_pool",
        "cipher_suites", "curve_preferences", "tpm_config",
    ]

    public init(from reader: MappingReader) {
        self.init(certFile: "", keyFile: "")
        certFile = Self.requiredPath("cert_file", reader)
        keyFile = Self.requiredPath("key_file", reader)
        if let text = reader.scalar("client_ca_file", expected: "a file path"), !text.isEmpty { clientCAFile = text }
        minVersion = ClientTLSConfig.version("min_version", reader) ?? .tls12
        maxVersion = ClientTLSConfig.version("max_version", reader)
        if let maxVersion, maxVersion < minVersion {
            reader.report(
                "max_version", "must be at least min_version (\(minVersion.rawValue)), got \(maxVersion.rawValue)")
        }
        if reader.contains("ca_file") {
            // The Collector's server ignores ca_file; saying so beats silently serving without client checks.
            _ = reader.value("ca_file")
            reader.report("ca_file", "not used by a server; to require client certificates use client_ca_file")
        }
        for key in Self.unsupportedKeys where reader.contains(key) {
            _ = reader.value(key)
            let hint = key.hasSuffix("_pem") ? "; write the PEM to a file and use \(key.dropLast(4))_file" : ""
            reader.report(key, "not supported yet\(hint)")
        }
    }

    private static func requiredPath(_ key: String, _ reader: MappingReader) -> String {
        switch reader.value(key) {
        case nil, .null?:
            reader.report(key, "required: a PEM file (a TLS server needs a certificate and its key)")
            return ""
        case .scalar(let text)? where text.isEmpty:
            reader.report(key, "must not be empty")
            return ""
        default:
            // A value of the wrong type is reported by `scalar`.
            return reader.scalar(key, expected: "a file path") ?? ""
        }
    }
}
