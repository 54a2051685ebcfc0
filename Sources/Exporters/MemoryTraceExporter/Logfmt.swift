/// logfmt, the format of Tempo's `tags` search parameter: space-separated `key=value` pairs, a value either bare
/// (up to the next space) or double-quoted with JSON escapes (`key="v 2"`); a key without `=` has an empty value.
enum Logfmt {
    /// The pairs in order, or nil when `text` is not logfmt (an unterminated quote, a bad escape, an empty key, or
    /// a quote inside a key or a bare value).
    static func parse(_ text: some StringProtocol) -> [(key: String, value: String)]? {
        let s = Array(text.utf8)
        var i = 0
        var pairs: [(key: String, value: String)] = []
        func isSpace(_ c: UInt8) -> Bool {
            c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
        }
        while true {
            while i < s.count, isSpace(s[i]) { i += 1 }
            guard i < s.count else { return pairs }
            let keyStart = i
            while i < s.count, !isSpace(s[i]), s[i] != UInt8(ascii: "=") {
                guard s[i] != UInt8(ascii: "\"") else { return nil }
                i += 1
            }
            guard i > keyStart else { return nil }
            let key = String(decoding: s[keyStart..<i], as: UTF8.self)
            guard i < s.count, s[i] == UInt8(ascii: "=") else {
                pairs.append((key, ""))
                continue
            }
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "\"") {
                i += 1
                guard let value = quoted(s, &i) else { return nil }
                pairs.append((key, value))
                guard i == s.count || isSpace(s[i]) else { return nil }
            } else {
                let valueStart = i
                while i < s.count, !isSpace(s[i]) {
                    guard s[i] != UInt8(ascii: "\"") else { return nil }
                    i += 1
                }
                pairs.append((key, String(decoding: s[valueStart..<i], as: UTF8.self)))
            }
        }
    }

    /// A quoted value from just past its opening quote to just past its closing one.
    private static func quoted(_ s: [UInt8], _ i: inout Int) -> String? {
        var scalars = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            bytes.removeAll(keepingCapacity: true)
        }
        while i < s.count {
            let c = s[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard i < s.count else { return nil }
                let e = s[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "u"):
                    guard var code = hex4(s, &i) else { return nil }
                    // A surrogate pair written as two escapes.
                    if (0xD800..<0xDC00).contains(code), i + 1 < s.count, s[i] == UInt8(ascii: "\\"),
                        s[i + 1] == UInt8(ascii: "u")
                    {
                        var j = i + 2
                        if let low = hex4(s, &j), (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                            i = j
                        }
                    }
                    flush()
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: return nil
                }
            default:
                bytes.append(c)
            }
        }
        return nil
    }

    private static func hex4(_ s: [UInt8], _ i: inout Int) -> UInt32? {
        guard i + 4 <= s.count else { return nil }
        var value: UInt32 = 0
        for c in s[i..<i + 4] {
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        i += 4
        return value
    }
}
