/// An `http://` or `https://` URL as an exporter's `endpoint`: `scheme://host[:port][/path][?query]`.
///
/// The host is a name, an IPv4 address or a bracketed IPv6 address (kept without brackets); the port is
/// 1 to 65535 and defaults to 80 or 443 by scheme; the path keeps any query and defaults to `/`. Refused:
/// other schemes, credentials (`user:pass@`), fragments, and characters outside printable ASCII (encode
/// them with `%`).
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    /// The scheme, lower case: `http` or `https`.
    public var scheme: String
    /// A name, an IPv4 address, or an IPv6 address without its brackets.
    public var host: String
    /// 1 to 65535; 80 or 443 by scheme when the URL has none.
    public var port: Int
    /// The path with any `?query`, starting with `/`.
    public var path: String

    public init(scheme: String, host: String, port: Int, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    /// `scheme://host:port/path`, with an IPv6 host in brackets.
    public var description: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)"
    }

    public enum Problem: Error, Equatable {
        case missingScheme
        case unsupportedScheme(String)
        case credentials
        case invalid
    }

    public static func parse(_ text: String) -> Result<HTTPURL, Problem> {
        guard let separator = text.firstRange(of: "://") else { return .failure(.missingScheme) }
        let schemeText = text[..<separator.lowerBound]
        guard !schemeText.isEmpty, schemeText.unicodeScalars.allSatisfy(\.isASCIILetter) else {
            return .failure(.invalid)
        }
        let scheme = schemeText.lowercased()
        let defaultPort: Int
        switch scheme {
        case "http": defaultPort = 80
        case "https": defaultPort = 443
        default: return .failure(.unsupportedScheme(scheme))
        }
        let rest = text[separator.upperBound...]
        guard rest.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "#" }) else {
            return .failure(.invalid)
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { return .failure(.credentials) }

        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.invalid) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterClose = authority[authority.index(after: close)...]
            guard host.contains(":"),
                host.unicodeScalars.allSatisfy({ isHostScalar($0) || $0 == ":" || $0 == "%" })
            else { return .failure(.invalid) }
            if afterClose.isEmpty {
                portText = nil
            } else {
                guard afterClose.first == ":" else { return .failure(.invalid) }
                portText = afterClose.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty, authority.hasPrefix("[") || host.unicodeScalars.allSatisfy(isHostScalar) else {
            return .failure(.invalid)
        }
        var port = defaultPort
        if let portText {
            guard (1...5).contains(portText.count), portText.unicodeScalars.allSatisfy(\.isASCIIDigit),
                let value = Int(portText), (1...65535).contains(value)
            else { return .failure(.invalid) }
            port = value
        }
        var path = String(rest[authorityEnd...])
        if !path.hasPrefix("/") { path = "/" + path }
        return .success(HTTPURL(scheme: scheme, host: String(host), port: port, path: path))
    }

    private static func isHostScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "-" || scalar == "." || scalar == "_"
    }
}

extension MappingReader {
    /// An `http://` or `https://` URL under `key` (an exporter's endpoint), with the text as written; nil when
    /// absent or null (not reported) or refused (reported, naming `example`). Credentials in the URL are refused
    /// in favour of `auth`.
    public func httpURL(_ key: String, example: String) -> (text: String, url: HTTPURL)? {
        let text: String
        switch value(key) {
        case nil, .null?:
            return nil
        case .scalar(let scalar)?:
            text = scalar
        case let other?:
            report(key, "expected a URL like \(example), got \(other.summary)")
            return nil
        }
        let expected = "expected a URL like \(example), got \(quoted(text))"
        switch HTTPURL.parse(text) {
        case .failure(.missingScheme):
            report(key, "\(expected) (missing http:// or https://)")
        case .failure(.unsupportedScheme(let scheme)):
            report(key, "\(expected) (unsupported scheme \(quoted(scheme)))")
        case .failure(.credentials):
            report(key, "credentials in the URL are not supported; use auth.authenticator with a basicauth extension")
        case .failure(.invalid):
            report(key, expected)
        case .success(let url):
            return (text, url)
        }
        return nil
    }
}
