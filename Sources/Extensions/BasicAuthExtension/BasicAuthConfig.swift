public import ComponentKit

/// The `basicauth` extension: HTTP Basic credentials that exporters send when they name it in
/// `auth.authenticator`: `extensions.basicauth[/name]`.
///
/// The Collector contrib shape: `client_auth: {username, password}` for exporters, `htpasswd: {file, inline}` for
/// receivers (plain-text `user:password` lines only; hashed htpasswd entries are refused). At least one of the
/// two. Write secrets as `${env:NAME}`. `description` hides the passwords.
public struct BasicAuthConfig: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `client_auth.username`: required, not empty, without `:` (which would end the user name in the
    /// header). No default.
    public var username: String
    /// `client_auth.password`: required, not empty. No default.
    public var password: String
    /// `htpasswd`: the credentials a receiver accepts. Default nil (the extension cannot guard a receiver).
    public var htpasswd: HTPasswd?

    /// A receiver's accepted credentials: `htpasswd.file` and `htpasswd.inline`, both `user:password` lines.
    public struct HTPasswd: Sendable, Equatable {
        /// `file`: a file of `user:password` lines, read when the gateway starts. Default nil.
        public var file: String?
        /// `inline`: `user:password` lines written in the config; they win over the file's for the same user.
        /// Default nil.
        public var inline: String?

        public init(file: String? = nil, inline: String? = nil) {
            self.file = file
            self.inline = inline
        }
    }

    public init(username: String, password: String, htpasswd: HTPasswd? = nil) {
        self.username = username
        self.password = password
        self.htpasswd = htpasswd
    }

    /// Whether `client_auth` was written, so an exporter can send credentials.
    public var hasClientAuth: Bool { !username.isEmpty }

    /// The user name, with the passwords hidden.
    public var description: String {
        "BasicAuthConfig(username: \(quoted(username)), password: <redacted>, htpasswd: \(htpasswd == nil ? "nil" : "<redacted>"))"
    }

    /// Same as `description`: the secret stays hidden in debug output too.
    public var debugDescription: String { description }
}

extension BasicAuthConfig: ConfigSection {
    public init(from reader: MappingReader) {
        self.init(username: "", password: "")
        switch reader.value("client_auth") {
        case nil where reader.contains("htpasswd"):
            break
        case nil:
            reader.report(
                "client_auth",
                "required: client_auth.username and client_auth.password (for exporters), or htpasswd (for receivers)")
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
        htpasswd = reader.section("htpasswd") { section in
            let file = section.scalar("file", expected: "a file path").flatMap { $0.isEmpty ? nil : $0 }
            let inline = section.scalar("inline", expected: "user:password lines")
            if let inline { Self.checkHTPasswd(inline, key: "inline", in: section) }
            if file == nil, inline == nil { section.report("needs file or inline") }
            return HTPasswd(file: file, inline: inline)
        }
    }

    /// Reports lines that are not `user:password` or whose password is a hash, which is not supported.
    static func checkHTPasswd(_ text: String, key: String, in reader: MappingReader) {
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = HTPasswdLine.trim(line)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":"), colon != trimmed.startIndex else {
                reader.report(key, "line \(index + 1): expected user:password")
                continue
            }
            if HTPasswdLine.isHashed(trimmed[trimmed.index(after: colon)...]) {
                reader.report(
                    key,
                    "line \(index + 1): hashed passwords (bcrypt, MD5, SHA) are not supported; write the password in plain text"
                )
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

/// Parses htpasswd text: `user:password` lines, blank lines and `#` comments skipped.
public enum HTPasswdLine {
    /// The user and password pairs of `text`, in order; malformed lines are left out.
    public static func parse(_ text: String) -> [(user: String, password: String)] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = HTPasswdLine.trim(line)
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":"), colon != trimmed.startIndex else {
                return nil
            }
            return (String(trimmed[..<colon]), String(trimmed[trimmed.index(after: colon)...]))
        }
    }

    static func trim(_ line: Substring) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = line.firstIndex(where: { !blank($0) }), let last = line.lastIndex(where: { !blank($0) })
        else {
            return ""
        }
        return line[first...last]
    }

    /// Whether `password` looks like an htpasswd hash: bcrypt `$2y$`, MD5 `$apr1$`, SHA `{SHA}`.
    public static func isHashed(_ password: Substring) -> Bool {
        ["$2a$", "$2b$", "$2y$", "$apr1$", "{SHA}"].contains { password.hasPrefix($0) }
    }
}
