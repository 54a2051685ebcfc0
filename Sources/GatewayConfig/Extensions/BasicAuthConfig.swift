/// The `basicauth` extension: HTTP Basic credentials that exporters send when they name it in
/// `auth.authenticator`: `extensions.basicauth[/name]`.
///
/// The Collector contrib shape for the client side, `client_auth: {username, password}`; the server side
/// (`htpasswd`) is not supported. Write secrets as `${env:NAME}`. `description` hides the password.
public struct BasicAuthConfig: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `client_auth.username`: required, not empty, without `:` (which would end the user name in the
    /// header). No default.
    public var username: String
    /// `client_auth.password`: required, not empty. No default.
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The user name, with the password hidden.
    public var description: String { "BasicAuthConfig(username: \(quoted(username)), password: <redacted>)" }

    /// Same as `description`: the secret stays hidden in debug output too.
    public var debugDescription: String { description }
}

extension BasicAuthConfig: ConfigSection {
    init(from reader: MappingReader) {
        self.init(username: "", password: "")
        switch reader.value("client_auth") {
        case nil:
            reader.report("client_auth", "required: client_auth.username and client_auth.password")
        case .scalar?, .sequence?:
            // Reported by the section reader as not a mapping; its keys are not also reported missing.
            _ = reader.section("client_auth") { _ in }
        case .null?, .mapping?:
            reader.section("client_auth") { client in
                username = Self.required("username", in: client)
                password = Self.required("password", in: client)
                if username.contains(":") {
                    client.report(
                        "username", "must not contain \":\" (HTTP Basic auth separates the password with it)")
                }
            }
        }
    }

    /// A required, non-empty string; problems are reported and read as empty.
    private static func required(_ key: String, in reader: MappingReader) -> String {
        switch reader.value(key) {
        case nil, .null?:
            reader.report(key, "required")
            return ""
        case .scalar(let text)?:
            if text.isEmpty {
                reader.report(key, "must not be empty")
            }
            return text
        case let other?:
            reader.report(key, "expected a string, got \(other.summary)")
            return ""
        }
    }
}
