internal import NIOSSL

/// A TLS error on a client connection, described for logs: which peer, whether the handshake failed, and why in
/// words (`certificate verify failed`) rather than as a BoringSSL error stack.
public struct TLSFailure: Error, CustomStringConvertible {
    /// `host:port` connected to.
    public var peer: String
    /// Whether the handshake failed; false for an error on an established connection (a server refusing the
    /// client certificate after a TLS 1.3 handshake, an unclean close).
    public var duringHandshake: Bool
    /// Why, in words.
    public var reason: String

    public init(peer: String, duringHandshake: Bool, reason: String) {
        self.peer = peer
        self.duringHandshake = duringHandshake
        self.reason = reason
    }

    public var description: String {
        duringHandshake
            ? "TLS handshake with \(peer) failed: \(reason)" : "TLS error on the connection to \(peer): \(reason)"
    }

    /// Hints for the BoringSSL reasons one meets when a deployment is misconfigured.
    private static let hints: [String: String] = [
        "CERTIFICATE_VERIFY_FAILED":
            "the server's certificate is not signed by a trusted CA (tls.ca_file, else the system's roots) or is not valid now",
        "WRONG_VERSION_NUMBER": "the server does not speak TLS here (for plaintext use http:// or tls.insecure)",
        "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust our client certificate (tls.cert_file)",
        "TLSV1_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate (tls.cert_file and tls.key_file)",
        "SSLV3_ALERT_BAD_CERTIFICATE": "the server refused our client certificate (tls.cert_file)",
        "SSLV3_ALERT_HANDSHAKE_FAILURE": "the server refused the handshake (no common protocol version or cipher)",
        "TLSV1_ALERT_PROTOCOL_VERSION":
            "the server does not support the offered TLS versions (tls.min_version, tls.max_version)",
        "UNSUPPORTED_PROTOCOL":
            "the server does not support the offered TLS versions (tls.min_version, tls.max_version)",
    ]

    /// `error` in words: BoringSSL's reason codes (`CERTIFICATE_VERIFY_FAILED` becomes `certificate verify failed`,
    /// with a hint where one helps), or the error's own description.
    package static func reason(_ error: any Error) -> String {
        switch error {
        case NIOSSLError.handshakeFailed(let boring), NIOSSLError.shutdownFailed(let boring):
            return reason(boring)
        case let boring as BoringSSLError:
            return reason(boring)
        case NIOSSLError.uncleanShutdown:
            return "the connection was closed without a TLS close_notify"
        default:
            return "\(error)"
        }
    }

    private static func reason(_ error: BoringSSLError) -> String {
        switch error {
        case .sslError(let stack), .unknownError(let stack):
            let reasons = stack.map { reasonCode("\($0)") }
            guard !reasons.isEmpty else { return "\(error)" }
            return reasons.map { code in
                let isCode = code.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }
                let words = isCode ? String(code.lowercased().map { $0 == "_" ? " " : $0 }) : code
                return hints[code].map { "\(words): \($0)" } ?? words
            }.joined(separator: "; ")
        default:
            return "\(error)"
        }
    }

    /// The reason code of one BoringSSL error, `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:
    /// CERTIFICATE_VERIFY_FAILED at …/handshake.cc:…`, or the text of a synthetic one (`EOF during handshake`).
    private static func reasonCode(_ text: String) -> String {
        var body = Substring(text)
        if body.hasPrefix("Error: ") { body = body.dropFirst("Error: ".count) }
        if let at = body.firstRange(of: " at ") { body = body[..<at.lowerBound] }
        if body.contains("error:"), let colon = body.lastIndex(of: ":") {
            body = body[body.index(after: colon)...]
        }
        return String(body.drop { $0 == " " })
    }
}

extension TLSFailure {
    /// Whether NIOSSL raised `error` (rather than the socket or a handler further in).
    static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
    }

    /// Whether `error` is NIOSSL's "the certificate does not name the server".
    static func isHostnameMismatch(_ error: any Error) -> Bool {
        (error as? NIOSSLExtraError) == .failedToValidateHostname
    }
}
