internal import GatewayCore

/// Appends compact JSON to a byte array, placing commas itself.
struct JSONWriter {
    var bytes: [UInt8]
    /// A value was just written at this level, so the next member or element needs a comma.
    private var needsComma = false

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":`; the member's value follows.
    @inline(__always)
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    mutating func string(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { appendQuoted($0) }
        needsComma = true
    }

    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        JSONString.append(utf8: utf8, to: &bytes, escapingMarkup: false)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func bool(_ value: Bool) {
        separate()
        if value {
            bytes.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            bytes.append(contentsOf: [
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e"),
            ])
        }
        needsComma = true
    }

    /// A 32-bit integer, as a JSON number.
    mutating func number(_ value: Int64) {
        separate()
        appendDecimal(value)
        needsComma = true
    }

    /// A 64-bit integer, as a string: proto3 JSON quotes them because JSON numbers lose precision past 2^53.
    mutating func quoted(_ value: UInt64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendDecimal(value)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func quoted(_ value: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendDecimal(value)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A double: the shortest text that reads back to the same value, with the non-finite values as the
    /// strings proto3 JSON uses for them.
    mutating func double(_ value: Double) {
        separate()
        defer { needsComma = true }
        if value.isNaN {
            append("\"NaN\"")
        } else if value.isInfinite {
            append(value < 0 ? "\"-Infinity\"" : "\"Infinity\"")
        } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
            // Integral values print as integers, without the description's ".0".
            if value == 0, value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            appendDecimal(Int64(value))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// A span id: 16 lower-case hex digits.
    mutating func hex(_ value: UInt64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendHex(value)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A trace id: 32 lower-case hex digits.
    mutating func hex(high: UInt64, low: UInt64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendHex(high)
        appendHex(low)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func base64(_ value: [UInt8]) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Base64.encode(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    // MARK: Raw output

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendHex(_ value: UInt64) {
        var shift = 60
        while shift >= 0 {
            bytes.append(Self.hexDigits[Int(value >> UInt64(shift) & 0xF)])
            shift -= 4
        }
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude)
    }

    private mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        let start = bytes.count
        var v = value
        while v > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        var i = start
        var j = bytes.count - 1
        while i < j {
            bytes.swapAt(i, j)
            i += 1
            j -= 1
        }
    }
}
