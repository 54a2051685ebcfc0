/// Base64 (RFC 4648): HTTP basic auth, gRPC binary headers, OTLP/JSON `bytes`. Writes the standard alphabet;
/// reads the standard and the URL-safe one, padded or not.
public enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the encoding of `bytes` to `out` (no intermediate String, for writers that build byte buffers).
    public static func encode(_ bytes: [UInt8], into out: inout [UInt8], padding: Bool = true) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        guard rest > 0 else { return }
        let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
        out.append(alphabet[Int(v >> 18 & 63)])
        out.append(alphabet[Int(v >> 12 & 63)])
        if rest == 2 { out.append(alphabet[Int(v >> 6 & 63)]) }
        if padding { out.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - rest)) }
    }

    public static func encode(_ bytes: [UInt8], padding: Bool = true) -> String {
        var out: [UInt8] = []
        encode(bytes, into: &out, padding: padding)
        return String(decoding: out, as: UTF8.self)
    }

    /// Nil on a character outside both alphabets, misplaced padding, or an impossible length.
    public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var n = input.count
        if n > 0, input[n - 1] == UInt8(ascii: "=") {
            // Padding completes the last quantum, so a padded text is a whole number of quanta.
            guard n % 4 == 0 else { return nil }
            n -= 1
            if input[n - 1] == UInt8(ascii: "=") { n -= 1 }
        }
        guard n % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(n * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for i in 0..<n {
            guard let v = value(input[i]) else { return nil }
            accumulator = accumulator << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    public static func decode(_ text: String) -> [UInt8]? {
        Array(text.utf8).withUnsafeBufferPointer { decode($0) }
    }

    @inline(__always)
    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
