extension JSONReader {
    /// A scanned JSON number: value = ±mantissa × 10^exponent, with trailing fractional zeros dropped so that
    /// `1.50` and `15e-1` read alike.
    struct NumberToken {
        var negative = false
        var mantissa: UInt64 = 0
        var exponent = 0
        /// Digits were dropped because the mantissa outgrew 64 bits; only the text holds the exact value.
        var inexact = false
        var start: Int
        var end: Int

        init(start: Int) {
            self.start = start
            self.end = start
        }

        @inline(__always)
        mutating func appendIntegerDigit(_ d: UInt8) {
            guard !inexact else { return }
            let (shifted, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(d))
            if o1 || o2 { inexact = true } else { mantissa = sum }
        }

        /// Appends a non-zero fractional digit preceded by `zeros` zero digits.
        @inline(__always)
        mutating func appendFractionDigit(_ d: UInt8, afterZeros zeros: Int) {
            guard !inexact else { return }
            var m = mantissa
            for _ in 0...zeros {
                let (shifted, overflow) = m.multipliedReportingOverflow(by: 10)
                if overflow {
                    inexact = true
                    return
                }
                m = shifted
            }
            let (sum, overflow) = m.addingReportingOverflow(UInt64(d))
            if overflow {
                inexact = true
                return
            }
            mantissa = sum
            exponent -= zeros + 1
        }

        /// The magnitude when the number is an integer that fits 64 bits (`1e3` and `2.0` count as integers).
        var integerMagnitude: UInt64? {
            guard !inexact else { return nil }
            if mantissa == 0 { return 0 }
            var m = mantissa
            if exponent > 0 {
                guard exponent <= 19 else { return nil }
                for _ in 0..<exponent {
                    let (shifted, overflow) = m.multipliedReportingOverflow(by: 10)
                    if overflow { return nil }
                    m = shifted
                }
            } else if exponent < 0 {
                guard exponent >= -19 else { return nil }
                for _ in 0..<(-exponent) {
                    guard m % 10 == 0 else { return nil }
                    m /= 10
                }
            }
            return m
        }

        /// Exactly 10^0 ... 10^22: the powers of ten a double holds without rounding.
        private static let powersOfTen: [Double] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ]

        /// The nearest double; nil when the magnitude is beyond the double range.
        func doubleValue(_ base: UnsafePointer<UInt8>) -> Double? {
            // Clinger's fast path: both operands exact, so one correctly rounded operation gives the answer.
            if !inexact, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
                var d = Double(mantissa)
                if exponent < 0 {
                    d /= Self.powersOfTen[-exponent]
                } else if exponent > 0 {
                    d *= Self.powersOfTen[exponent]
                }
                return negative ? -d : d
            }
            if !inexact, mantissa == 0 { return negative ? -0.0 : 0.0 }
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
            // A finite literal beyond the double range has no value to give (proto3 JSON parsers refuse it too).
            guard let value = Double(text), value.isFinite else { return nil }
            return value
        }
    }

    /// Scans a JSON number (RFC 8259 grammar) in `base[from..<limit]`; nil on a syntax error.
    static func parseNumber(_ base: UnsafePointer<UInt8>, from: Int, limit: Int) -> NumberToken? {
        var t = NumberToken(start: from)
        var i = from
        if i < limit, base[i] == UInt8(ascii: "-") {
            t.negative = true
            i += 1
        }
        guard i < limit, let first = digit(base[i]) else { return nil }
        i += 1
        if first != 0 {
            t.mantissa = UInt64(first)
            while i < limit, let d = digit(base[i]) {
                t.appendIntegerDigit(d)
                i += 1
            }
        }
        if i < limit, base[i] == UInt8(ascii: ".") {
            i += 1
            guard i < limit, digit(base[i]) != nil else { return nil }
            var zeros = 0
            while i < limit, let d = digit(base[i]) {
                if d == 0 {
                    zeros += 1
                } else {
                    t.appendFractionDigit(d, afterZeros: zeros)
                    zeros = 0
                }
                i += 1
            }
        }
        if i < limit, base[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < limit, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
                negativeExponent = base[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < limit, digit(base[i]) != nil else { return nil }
            var e = 0
            while i < limit, let d = digit(base[i]) {
                if e < 1_000_000 { e = e * 10 + Int(d) }
                i += 1
            }
            t.exponent += negativeExponent ? -e : e
        }
        t.end = i
        return t
    }

    @inline(__always)
    static func digit(_ c: UInt8) -> UInt8? {
        let d = c &- UInt8(ascii: "0")
        return d < 10 ? d : nil
    }

    /// Scans the number at `position`.
    mutating func scanNumberToken() throws(JSONFailure) -> NumberToken {
        guard let token = Self.parseNumber(base, from: position, limit: count) else {
            throw syntaxError("invalid number")
        }
        position = token.end
        return token
    }

    // MARK: Integers

    /// An integer field's value as sign and magnitude, from a number or from a string holding one (proto3 JSON
    /// writes 64-bit integers as strings and accepts either); `null` reads as 0.
    private mutating func readInteger(_ expected: String) throws(JSONFailure) -> (negative: Bool, magnitude: UInt64) {
        switch try peekOrFail() {
        case UInt8(ascii: "\""):
            guard case .raw(let start, let end) = try scanStringToken(),
                let token = Self.parseNumber(base, from: start, limit: end), token.end == end,
                let magnitude = token.integerMagnitude
            else { throw typeError(expected) }
            return (token.negative, magnitude)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = try scanNumberToken()
            guard let magnitude = token.integerMagnitude else { throw typeError(expected) }
            return (token.negative, magnitude)
        case UInt8(ascii: "n"):
            try literal("null")
            return (false, 0)
        default:
            throw mismatch(expected)
        }
    }

    mutating func readUInt64() throws(JSONFailure) -> UInt64 {
        let expected = "expected an unsigned 64-bit integer"
        let (negative, magnitude) = try readInteger(expected)
        guard !negative || magnitude == 0 else { throw typeError(expected) }
        return magnitude
    }

    mutating func readInt64() throws(JSONFailure) -> Int64 {
        let expected = "expected a 64-bit integer"
        let (negative, magnitude) = try readInteger(expected)
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw typeError(expected) }
            return Int64(bitPattern: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw typeError(expected) }
        return Int64(magnitude)
    }

    mutating func readUInt32() throws(JSONFailure) -> UInt32 {
        let expected = "expected an unsigned 32-bit integer"
        let (negative, magnitude) = try readInteger(expected)
        guard !negative || magnitude == 0, magnitude <= UInt64(UInt32.max) else { throw typeError(expected) }
        return UInt32(magnitude)
    }

    mutating func readInt32() throws(JSONFailure) -> Int32 {
        let expected = "expected a 32-bit integer"
        let (negative, magnitude) = try readInteger(expected)
        if negative {
            guard magnitude <= UInt64(Int32.max) + 1 else { throw typeError(expected) }
            return Int32(-Int64(magnitude))
        }
        guard magnitude <= UInt64(Int32.max) else { throw typeError(expected) }
        return Int32(magnitude)
    }

    /// An enum field: its number, or its name from `names` (indexed by number). `null` reads as 0.
    mutating func readEnum(_ names: [StaticString]) throws(JSONFailure) -> Int32 {
        guard try peekOrFail() == UInt8(ascii: "\"") else { return try readInt32() }
        let token = try scanStringToken()
        if case .raw(let start, let end) = token {
            let n = end - start
            for (value, name) in names.enumerated() where name.utf8CodeUnitCount == n {
                let equal = name.withUTF8Buffer { expected in
                    for k in 0..<n where base[start + k] != expected[k] { return false }
                    return true
                }
                if equal { return Int32(value) }
            }
        }
        let text: String
        switch token {
        case .raw(let start, let end):
            text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        case .escaped(let escaped): text = escaped
        }
        throw typeError("unknown enum value \"\(text)\"")
    }

    // MARK: Doubles and booleans

    /// A double field; `null` reads as 0.
    mutating func readDouble() throws(JSONFailure) -> Double { try readOptionalDouble() ?? 0 }

    /// A double field, from a number or from a string: `"NaN"`, `"Infinity"`, `"-Infinity"` or a number in
    /// quotes, as proto3 JSON allows. `null` reads as absent.
    mutating func readOptionalDouble() throws(JSONFailure) -> Double? {
        let expected = "expected a number"
        switch try peekOrFail() {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = try scanNumberToken()
            guard let value = token.doubleValue(base) else { throw typeError("number out of range") }
            return value
        case UInt8(ascii: "\""):
            guard case .raw(let start, let end) = try scanStringToken() else { throw typeError(expected) }
            if rawEquals(start, end, "NaN") { return .nan }
            if rawEquals(start, end, "Infinity") { return .infinity }
            if rawEquals(start, end, "-Infinity") { return -.infinity }
            guard let token = Self.parseNumber(base, from: start, limit: end), token.end == end,
                let value = token.doubleValue(base)
            else { throw typeError(expected) }
            return value
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        default:
            throw mismatch(expected)
        }
    }

    /// A bool field; `null` reads as false.
    mutating func readBool() throws(JSONFailure) -> Bool {
        switch try peekOrFail() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        case UInt8(ascii: "n"):
            try literal("null")
            return false
        default:
            throw mismatch("expected a boolean")
        }
    }

    func rawEquals(_ start: Int, _ end: Int, _ text: StaticString) -> Bool {
        guard end - start == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { expected in
            for k in 0..<expected.count where base[start + k] != expected[k] { return false }
            return true
        }
    }
}
