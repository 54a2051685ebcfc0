/// An exporter's `tls` section: the Collector's `configtls.ClientConfig` keys this gateway implements.
///
/// Whether a connection uses TLS at all is decided by the exporter: `otlp` uses TLS unless `insecure` is true or
/// its endpoint is written `http://`; `otlphttp` and `prometheusremotewrite` use TLS for `https://` URLs. The
/// certificate files are read when the exporter starts, not here, so a file missing at start fails the start
/// with a message naming the exporter and the file.
public struct ClientTLSConfig: Sendable, Equatable {
    /// A TLS protocol version for `min_version` and `max_version`. The Collector also accepts 1.0 and 1.1;
    /// they are refused here as obsolete.
    public enum Version: String, Sendable, CaseIterable, Comparable {
        case tls12 = "1.2"
        case tls13 = "1.3"

        public static func < (lhs: Version, rhs: Version) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// `insecure`: send without TLS. Only the `otlp` exporter reads it (the HTTP exporters follow the URL's
    /// scheme); it conflicts with an `https://` endpoint and with `ca_file`, `cert_file` and `key_file`.
    /// Default false.
    public var insecure: Bool
    /// `insecure_skip_verify`: accept any server certificate and name (the connection is encrypted but not
    /// authenticated). Logged as a warning when the exporter starts. Default false.
    public var insecureSkipVerify: Bool
    /// `ca_file`: PEM file of the CA certificates that verify the server, instead of the system's trust roots.
    /// Default nil (the system's roots).
    public var caFile: String?
    /// `cert_file`: PEM file of the client certificate (chain) sent for mutual TLS; needs `key_file`.
    /// Default nil (no client certificate).
    public var certFile: String?
    /// `key_file`: PEM file of the private key of `cert_file` (unencrypted); needs `cert_file`. Default nil.
    public var keyFile: String?
    /// `server_name_override`: the name sent in SNI and checked against the server's certificate instead of the
    /// endpoint's host. Default nil (the endpoint's host).
    public var serverNameOverride: String?
    /// `min_version`: the lowest TLS version offered, `1.2` or `1.3`. Default `1.2`, as the Collector.
    public var minVersion: Version
    /// `max_version`: the highest TLS version offered, `1.2` or `1.3`, at least `min_version`. Default nil (the
    /// highest supported, 1.3).
    public var maxVersion: Version?

    public init(
        insecure: Bool = false,
        insecureSkipVerify: Bool = false,
        caFile: String? = nil,
        certFile: String? = nil,
        keyFile: String? = nil,
        serverNameOverride: String? = nil,
        minVersion: Version = .tls12,
        maxVersion: Version? = nil
    ) {
        self.insecure = insecure
        self.insecureSkipVerify = insecureSkipVerify
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverNameOverride = serverNameOverride
        self.minVersion = minVersion
        self.maxVersion = maxVersion
    }

    /// The keys naming certificate files that are set, in the order they are written in documentation:
    /// settings that only mean something with TLS.
    public var fileKeys: [String] {
        [("ca_file", caFile), ("cert_file", certFile), ("key_file", keyFile)].compactMap { $0.1 == nil ? nil : $0.0 }
    }
}

extension ClientTLSConfig: ConfigSection {
    /// Collector keys that are not implemented, reported by name rather than as unknown.
    private static let unsupportedKeys = [
        "ca_pem", "cert_pem", "key_pem", "include_system_ca_certs_pool", "cipher_suites", "curve_preferences",
        "reload_interval", "tpm_config",
    ]

    public init(from reader: MappingReader) {
        let defaults = ClientTLSConfig()
        self.init(
            insecure: reader.bool("insecure", default: defaults.insecure),
            insecureSkipVerify: reader.bool("insecure_skip_verify", default: defaults.insecureSkipVerify),
            caFile: Self.path("ca_file", reader),
            certFile: Self.path("cert_file", reader),
            keyFile: Self.path("key_file", reader),
            serverNameOverride: Self.serverName(reader),
            minVersion: Self.version("min_version", reader) ?? defaults.minVersion,
            maxVersion: Self.version("max_version", reader)
        )
        switch (certFile, keyFile) {
        case (_?, nil): reader.report("cert_file", "needs key_file (the private key of the client certificate)")
        case (nil, _?): reader.report("key_file", "needs cert_file (the client certificate of this key)")
        default: break
        }
        if let maxVersion, maxVersion < minVersion {
            reader.report(
                "max_version", "must be at least min_version (\(minVersion.rawValue)), got \(maxVersion.rawValue)")
        }
        for key in Self.unsupportedKeys where reader.contains(key) {
            _ = reader.value(key)
            let hint = key.hasSuffix("_pem") ? "; write the PEM to a file and use \(key.dropLast(4))_file" : ""
            reader.report(key, "not supported yet\(hint)")
        }
    }

    /// A file path; empty reads as unset, as in the Collector.
    private static func path(_ key: String, _ reader: MappingReader) -> String? {
        guard let text = reader.scalar(key, expected: "a file path"), !text.isEmpty else { return nil }
        return text
    }

    /// `server_name_override`: a DNS name (IP addresses cannot be sent in SNI); empty reads as unset.
    private static func serverName(_ reader: MappingReader) -> String? {
        let key = "server_name_override"
        guard let text = reader.scalar(key, expected: "a host name"), !text.isEmpty else { return nil }
        let valid =
            text.utf8.count <= 253
            && text.unicodeScalars.allSatisfy {
                $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "." || $0 == "_"
            }
            && !text.unicodeScalars.allSatisfy { $0.isASCIIDigit || $0 == "." }
        guard valid else {
            reader.report(key, "expected a DNS name like tempo.example.com, got \(quoted(text))")
            return nil
        }
        return text
    }

    /// `min_version` or `max_version`, shared with the server's `tls`.
    public static func version(_ key: String, _ reader: MappingReader) -> Version? {
        guard let text = reader.scalar(key, expected: "1.2 or 1.3"), !text.isEmpty else { return nil }
        if let version = Version(rawValue: text) { return version }
        if ["1.0", "1.1"].contains(text) {
            reader.report(key, "TLS \(text) is not supported (obsolete); use 1.2 or 1.3")
        } else {
            reader.report(key, "expected 1.2 or 1.3, got \(quoted(text))")
        }
        return nil
    }
}

extension MappingReader {
    /// Reports `tls` (under this reader) settings that contradict the scheme of an HTTP exporter's URLs: `insecure:
    /// true` with an `https://` URL (the Collector ignores it there), and certificate files when every URL is
    /// `http://` (they would be ignored).
    public func checkTLS(_ tls: ClientTLSConfig, https: Bool) {
        let tlsPath = path("tls")
        if https, tls.insecure {
            diagnostics.report(
                tlsPath.appending("insecure"),
                "cannot be true with an https:// endpoint, which means TLS; remove one of them")
        }
        if !https {
            for key in tls.fileKeys {
                diagnostics.report(
                    tlsPath.appending(key),
                    "cannot be used with an http:// endpoint, which means plaintext; use https:// for TLS")
            }
        }
    }
}
