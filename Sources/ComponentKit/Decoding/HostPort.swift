/// Splits a listen endpoint into host and port, as the Collector accepts them.
///
/// Accepts `host:port`, `[ipv6]:port` (the host is returned without brackets) and `:port`, which means all
/// interfaces and returns host `0.0.0.0`. The port is decimal, 0 to 65535 (0 asks for an ephemeral port).
/// Returns nil for anything else: a missing port, service names, unbracketed IPv6 addresses, spaces.
public func parseHostPort(_ endpoint: String) -> (host: String, port: Int)? {
    let host: Substring
    let portText: Substring
    if endpoint.hasPrefix("[") {
        guard let close = endpoint.firstIndex(of: "]") else { return nil }
        host = endpoint[endpoint.index(after: endpoint.startIndex)..<close]
        let afterClose = endpoint[endpoint.index(after: close)...]
        guard afterClose.first == ":" else { return nil }
        portText = afterClose.dropFirst()
        guard host.contains(":"), host.unicodeScalars.allSatisfy(isIPv6Scalar) else { return nil }
    } else {
        guard let colon = endpoint.lastIndex(of: ":") else { return nil }
        host = endpoint[..<colon]
        portText = endpoint[endpoint.index(after: colon)...]
        guard host.unicodeScalars.allSatisfy(isHostnameScalar) else { return nil }
    }
    guard (1...5).contains(portText.count), portText.unicodeScalars.allSatisfy(\.isASCIIDigit),
        let port = Int(portText), port <= 65535
    else { return nil }
    return (host.isEmpty ? "0.0.0.0" : String(host), port)
}

private func isHostnameScalar(_ scalar: Unicode.Scalar) -> Bool {
    scalar.isASCIILetter || scalar.isASCIIDigit || scalar == "-" || scalar == "." || scalar == "_"
}

/// Hex digits, colons, an embedded IPv4 tail and a `%zone` suffix.
private func isIPv6Scalar(_ scalar: Unicode.Scalar) -> Bool {
    isHostnameScalar(scalar) || scalar == ":" || scalar == "%"
}
