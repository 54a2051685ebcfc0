extension JSONReader {
    /// A string as scanned: where it lies in the input when it has no escapes, else its decoded text.
    enum StringToken {
        /// The bytes between the quotes, not yet checked to be UTF-8.
        case raw(start: Int, end: Int)
        case escaped(String)
    }

    /// Reads a string value; `null` reads as "".
    mutating func readString() throws(JSONFailure) -> String {
        switch try peekOrFail() {
        case UInt8(ascii: "\""):
            switch try scanStringToken() {
            case .raw(let start, let end): return try makeString(start, end)
            case .escaped(let text): return text
            }
        case UInt8(ascii: "n"):
            try literal("null")
            return ""
        default:
            throw mismatch("expected a string")
        }
    }

    /// The string between the quotes at `start - 1` and `end`, refusing invalid UTF-8 as protobuf does.
    @inline(__always)
    func makeString(_ start: Int, _ end: Int) throws(JSONFailure) -> String {
        guard let s = Self.validString(UnsafeBufferPointer(start: base + start, count: end - start)) else {
            throw syntaxError("invalid UTF-8 in string", at: start - 1)
        }
        return s
    }

    /// `String(validating:as:)` goes through unspecialised generic code (a metadata lookup per call), so this
    /// takes the specialised repairing initialiser and checks that nothing needed repair: ASCII never does,
    /// and otherwise the result's bytes equal the input exactly when the input was valid.
    static func validString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let s = String(decoding: bytes, as: UTF8.self)
        if isASCII(bytes) { return s }
        guard s.utf8.count == bytes.count, s.utf8.elementsEqual(bytes) else { return nil }
        return s
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        var bits: UInt64 = 0
        while bytes.count - i >= 8 {
            bits |= UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            bits |= UInt64(base[i])
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    /// Scans the string whose opening quote is at `position`, leaving `position` after its closing quote.
    mutating func scanStringToken() throws(JSONFailure) -> StringToken {
        let start = position + 1
        var i = start
        // Eight bytes at a time while none of them is a quote, a backslash or a control character.
        while count - i >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            if Self.hasSpecialByte(word) { break }
            i += 8
        }
        while i < count {
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                position = i + 1
                return .raw(start: start, end: i)
            }
            if c == UInt8(ascii: "\\") { return .escaped(try scanEscapedString(start: start, firstEscape: i)) }
            if c < 0x20 { throw syntaxError("control character in string", at: i) }
            // The word test is exact about whether a special byte is present, so once it stopped us the
            // string ends (or turns to the escape path) within these eight bytes.
            i += 1
        }
        throw syntaxError("unterminated string", at: start - 1)
    }

    /// Whether any byte of `word` is `"`, `\` or below 0x20: the has-zero-byte test, exact about presence.
    @inline(__always)
    static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highs != 0
    }

    /// The slow path: decodes escapes into `scratch` from the first backslash on.
    private mutating func scanEscapedString(start: Int, firstEscape: Int) throws(JSONFailure) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstEscape - start))
        var i = firstEscape
        while i < count {
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                position = i + 1
                guard let s = scratch.withUnsafeBufferPointer({ Self.validString($0) }) else {
                    throw syntaxError("invalid UTF-8 in string", at: start - 1)
                }
                return s
            }
            if c < 0x20 { throw syntaxError("control character in string", at: i) }
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                i += 1
                continue
            }
            guard i + 1 < count else { break }
            let escaped = base[i + 1]
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                i = try appendUnicodeEscape(at: i)
                continue
            default:
                let shown =
                    escaped >= 0x20 && escaped < 0x7F
                    ? String(Unicode.Scalar(escaped)) : "0x" + String(escaped, radix: 16)
                throw syntaxError("invalid escape '\\\(shown)' in string", at: i)
            }
            i += 2
        }
        throw syntaxError("unterminated string", at: start - 1)
    }

    /// Decodes `\uXXXX` at `i` (joining a UTF-16 surrogate pair) into `scratch`; returns the offset after it.
    private mutating func appendUnicodeEscape(at i: Int) throws(JSONFailure) -> Int {
        guard let unit = hex4(at: i + 2) else { throw syntaxError("invalid \\u escape in string", at: i) }
        var scalarValue = UInt32(unit)
        var next = i + 6
        if unit >= 0xD800, unit < 0xDC00 {
            guard next + 1 < count, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                throw syntaxError("unpaired UTF-16 surrogate in \\u escape", at: i)
            }
            guard let low = hex4(at: next + 2) else { throw syntaxError("invalid \\u escape in string", at: next) }
            guard low >= 0xDC00, low < 0xE000 else {
                throw syntaxError("unpaired UTF-16 surrogate in \\u escape", at: i)
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        } else if unit >= 0xDC00, unit < 0xE000 {
            throw syntaxError("unpaired UTF-16 surrogate in \\u escape", at: i)
        }
        // protobuf-c hands strings over NUL-terminated, so a U+0000 would cut the string wherever the data is
        // decoded from protobuf again (a persistent queue, a journal, a downstream gateway): refused, as in
        // protobuf input.
        guard scalarValue != 0 else {
            throw syntaxError("string contains \\u0000 (NUL), which this gateway cannot carry", at: i)
        }
        // Not a surrogate here, so always a valid scalar.
        let scalar = Unicode.Scalar(scalarValue)!
        for b in UTF8.encode(scalar)! { scratch.append(b) }
        return next
    }

    private func hex4(at offset: Int) -> UInt16? {
        guard count - offset >= 4 else { return nil }
        var value: UInt16 = 0
        for k in 0..<4 {
            guard let n = Self.hexValue(base[offset + k]) else { return nil }
            value = value << 4 | UInt16(n)
        }
        return value
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}
