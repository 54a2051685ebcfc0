/// Headers the HTTP client or the HTTP/2 transport manages, by lower-cased name; no exporter lets users set
/// them (HTTP/2 forbids the connection-specific ones outright).
public let transportHeaders: Set<String> = [
    "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade",
]

extension MappingReader {
    /// `headers`: extra headers on every request, validated. Names are HTTP tokens, unique regardless of case;
    /// values have no control characters. `reserved` lists the headers the exporter sets itself, as the
    /// problem message names them (compared ignoring case); transport headers and pseudo-headers (`:path`)
    /// are refused too, and `Authorization` when `authenticated` (`auth` sets it).
    public func headers(_ key: String, reserved: [String], authenticated: Bool) -> [String: String] {
        let reservedNames = Set(reserved.map { $0.lowercased() })
        let reservedList = reserved.joined(separator: ", ")
        var headers: [String: String] = [:]
        var seen: [String: String] = [:]  // lower-cased name -> name as written
        for (name, value) in stringMap(key) ?? [] {
            let at = path(key).appending(name)
            let lower = name.lowercased()
            if name.hasPrefix(":") {
                diagnostics.report(
                    at, "pseudo-headers (starting with \":\") are set by the transport and cannot be set")
            } else if !isHTTPToken(name) {
                diagnostics.report(at, "not a valid HTTP header name")
            } else if reservedNames.contains(lower) {
                diagnostics.report(at, "is set by the exporter and cannot be overridden (reserved: \(reservedList))")
            } else if transportHeaders.contains(lower) {
                diagnostics.report(at, "is managed by the HTTP client and cannot be set")
            } else if lower == "authorization", authenticated {
                diagnostics.report(at, "cannot be set together with auth.authenticator, which sets it")
            } else if let earlier = seen[lower] {
                diagnostics.report(at, "same header as \(quoted(earlier)) (header names ignore case)")
            } else if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
                diagnostics.report(at, "must not contain control characters such as line breaks")
            } else {
                seen[lower] = name
                headers[name] = value
            }
        }
        return headers
    }
}

/// An HTTP header name: one or more token characters (RFC 9110).
public func isHTTPToken(_ text: String) -> Bool {
    !text.isEmpty
        && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCIILetter || scalar.isASCIIDigit || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
        }
}
