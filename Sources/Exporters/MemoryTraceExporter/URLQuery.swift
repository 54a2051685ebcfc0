/// A URL query string (`a=1&b=x%20y`) as name/value pairs, decoded as Go's `url.ParseQuery` does: pairs split on
/// `&`, `+` is a space, `%XX` a byte, and the decoded bytes must be UTF-8.
struct URLQuery: Sendable {
    /// A pair that could not be decoded; `name` is the pair's raw name (decoded where possible) for the error.
    struct DecodingError: Error, Hashable {
        var name: String
    }

    private(set) var pairs: [(name: String, value: String)] = []

    init() {}

    init(_ query: some StringProtocol) throws(DecodingError) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts[0]
            guard let name = Self.decode(rawName) else { throw DecodingError(name: String(rawName)) }
            guard let value = parts.count > 1 ? Self.decode(parts[1]) : "" else { throw DecodingError(name: name) }
            pairs.append((name, value))
        }
    }

    /// The first value of `name`, as Go's `Values.Get`.
    subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Percent-decoding with `+` as a space; nil on a malformed escape or bytes that are not UTF-8.
    static func decode(_ text: some StringProtocol) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            switch utf8[i] {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
                i += 1
            case UInt8(ascii: "%"):
                guard i + 2 < utf8.count, let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) else {
                    return nil
                }
                bytes.append(hi << 4 | lo)
                i += 3
            default:
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
