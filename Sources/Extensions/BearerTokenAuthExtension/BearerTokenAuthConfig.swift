public import ComponentKit

/// The `bearertokenauth` extension: a token that exporters send as `Authorization: <scheme> <token>` when
/// they name it in `auth.authenticator`: `extensions.bearertokenauth[/name]`.
///
/// The Collector contrib shape. The token is written inline (`token`, best as `${env:NAME}`) or read from
/// a file (`filename`), exactly one of the two. `description` hides the token.
public struct BearerTokenAuthConfig: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `token`: the token itself, not empty, without control characters. Required unless `filename` is set;
    /// not both. Default nil.
    public var token: String?
    /// `scheme`: the word before the token in the `Authorization` header; empty sends the token alone.
    /// Default `Bearer`.
    public var scheme: String
    /// `filename`: a file holding the token (surrounding whitespace trimmed when read), for secrets mounted
    /// as files. Required unless `token` is set; not both. Default nil.
    public var filename: String?

    public init(token: String? = nil, scheme: String = "Bearer", filename: String? = nil) {
        self.token = token
        self.scheme = scheme
        self.filename = filename
    }

    /// The scheme and file name, with the token hidden.
    public var description: String {
        "BearerTokenAuthConfig(token: \(token == nil ? "nil" : "<redacted>"), scheme: \(quoted(scheme)), filename: \(filename.map(quoted) ?? "nil"))"
    }

    /// Same as `description`: the secret stays hidden in debug output too.
    public var debugDescription: String { description }
}

extension BearerTokenAuthConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = BearerTokenAuthConfig()
        self.init()
        token = reader.scalar("token", expected: "a string")
        scheme = reader.string("scheme", default: defaults.scheme)
        filename = reader.scalar("filename", expected: "a file path")

        if let token {
            if token.isEmpty {
                reader.report("token", "must not be empty")
            } else if token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                reader.report("token", "must not contain control characters such as line breaks")
            }
        }
        if !scheme.isEmpty, !isHTTPToken(scheme) {
            reader.report("scheme", "expected a single word like Bearer, got \(quoted(scheme))")
        }
        if filename?.isEmpty == true {
            reader.report("filename", "must not be empty")
        }
        switch (token, filename) {
        case (nil, nil) where !Self.written("token", in: reader) && !Self.written("filename", in: reader):
            // Absent or null; a value of the wrong type has been reported already.
            reader.report("needs token or filename")
        case (.some, .some):
            reader.report("filename", "cannot be combined with token; write only one of them")
        default:
            break
        }
    }

    private static func written(_ key: String, in reader: MappingReader) -> Bool {
        switch reader.value(key) {
        case nil, .null?: return false
        default: return true
        }
    }
}
