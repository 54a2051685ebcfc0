/// Checks a request's `Authorization` header against the credentials of a `bearertokenauth` or `basicauth`
/// extension (`auth.authenticator` on a listener). Built once at start; checking allocates nothing beyond the
/// header split.
///
/// The scheme is matched without regard to case (RFC 9110); the credential is compared in constant time against
/// every accepted one, so neither the time taken nor an early exit tells how much of a guess was right.
public struct RequestAuthenticator: Sendable {
    /// The scheme named in `WWW-Authenticate` on a 401 and in messages, e.g. `Bearer` or `Basic`; empty for a
    /// bearer token configured without a scheme.
    public let scheme: String
    /// The extension, for messages: `bearertokenauth/in`.
    public let name: String
    private let credentials: [[UInt8]]

    /// `credentials` are what follows the scheme and one space in an accepted header: the token, or the base64
    /// of `user:password`.
    public init(name: String, scheme: String, credentials: [[UInt8]]) {
        self.name = name
        self.scheme = scheme
        self.credentials = credentials
    }

    /// Whether `authorization` (the header's value, nil when absent) carries accepted credentials.
    public func accepts(_ authorization: String?) -> Bool {
        guard let authorization, !credentials.isEmpty else { return false }
        var value = Substring(authorization)
        if !scheme.isEmpty {
            guard let space = value.firstIndex(of: " "),
                value[..<space].lowercased() == scheme.lowercased()
            else { return false }
            value = value[value.index(after: space)...].drop { $0 == " " }
        }
        let presented = Array(value.utf8)
        // Every credential is compared, whichever matches.
        var matches = 0
        for credential in credentials where Self.constantTimeEqual(presented, credential) { matches += 1 }
        return matches > 0
    }

    /// Equal bytes, in time that depends only on the lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= UInt(x ^ y)
        }
        return difference == 0
    }

    /// The `WWW-Authenticate` value of a 401.
    public var challenge: String {
        switch scheme.lowercased() {
        case "basic": return "Basic realm=\"otlp-gateway\", charset=\"UTF-8\""
        case "": return "Bearer"
        default: return scheme
        }
    }

    /// Why a request was refused, for the gRPC message and the HTTP body.
    public func refusal(_ authorization: String?) -> String {
        authorization == nil
            ? "missing Authorization header (\(name) requires \(scheme.isEmpty ? "a token" : scheme) credentials)"
            : "invalid credentials in the Authorization header (\(name))"
    }
}

/// What an exporter's `auth.authenticator` gives it: a fixed `Authorization` value (`basicauth`,
/// `bearertokenauth`), or headers set per request from the data's metadata (`headers_setter`).
public enum ExporterAuthWiring {
    public static func resolve(_ id: ComponentID, _ context: BuildContext, key: String) throws -> (
        authorization: String?, setter: (any RequestHeadersSetter)?
    ) {
        let found = try context.extensionAs(id, (any ClientAuthenticator).self, key: key)
        if let setter = found as? any RequestHeadersSetter { return (nil, setter) }
        return (try found.authorizationHeader(), nil)
    }
}
