/// An exporter's `tls` section, accepted so that Collector configs load.
///
/// TLS itself is not implemented yet: URL endpoints must be `http://`, the `otlp` (gRPC) exporter needs
/// `insecure: true` unless its endpoint is written `http://host:port`, and setting `ca_file`, `cert_file` or
/// `key_file` is a problem rather than being ignored.
public struct ClientTLSConfig: Sendable, Equatable {
    /// `insecure`: the Collector's switch to send without TLS. Required to be true by the `otlp` exporter
    /// when its endpoint has no `http://`; with an `http://` endpoint nothing is encrypted either way.
    /// Default false.
    public var insecure: Bool
    /// `insecure_skip_verify`: skip verifying the server's certificate. Stored for compatibility; it has no
    /// effect until TLS is supported. Default false.
    public var insecureSkipVerify: Bool

    public init(insecure: Bool = false, insecureSkipVerify: Bool = false) {
        self.insecure = insecure
        self.insecureSkipVerify = insecureSkipVerify
    }
}

extension ClientTLSConfig: ConfigSection {
    init(from reader: MappingReader) {
        let defaults = ClientTLSConfig()
        self.init(
            insecure: reader.bool("insecure", default: defaults.insecure),
            insecureSkipVerify: reader.bool("insecure_skip_verify", default: defaults.insecureSkipVerify)
        )
        for key in ["ca_file", "cert_file", "key_file"] {
            if let path = reader.scalar(key, expected: "a file path"), !path.isEmpty {
                reader.report(key, "TLS is not supported yet; use http:// or a TLS-terminating sidecar")
            }
        }
    }
}
