/// JSON string literals, written straight into bytes: the one escaper of the OTLP/JSON writer, the Tempo API and
/// the live page's API.
public enum JSONString {
    /// Appends `value` quoted: `"`, `\` and control characters escaped, everything else as UTF-8; with
    /// `escapingMarkup`, `<`, `>` and `&` too (as `\u003c`…), so an answer cannot be read as markup even by a client
    /// that sniffs it.
    public static func append(_ value: String, to out: inout [UInt8], escapingMarkup: Bool = false) {
        var value = value
        value.withUTF8 { append(utf8: $0, to: &out, escapingMarkup: escapingMarkup) }
    }

    static func append(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8], escapingMarkup: Bool) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            let markup = escapingMarkup && (c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "&"))
            guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || markup else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            bytes.append(UInt8(ascii: "\\"))
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hexDigits[Int(c >> 4)])
                bytes.append(hexDigits[Int(c & 0xF)])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
