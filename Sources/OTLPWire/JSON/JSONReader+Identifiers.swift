import GatewayCore

extension JSONReader {
    /// A hex trace id of either case; `""` and `null` read as the invalid id.
    mutating func readTraceID() throws(JSONFailure) -> TraceID {
        let expected = "expected 32 hex digits"
        switch try peekOrFail() {
        case UInt8(ascii: "\""):
            switch try scanStringToken() {
            case .raw(let start, let end):
                if start == end { return .invalid }
                guard end - start == 32, let high = hex64(at: start), let low = hex64(at: start + 16) else {
                    throw typeError(expected)
                }
                return TraceID(high: high, low: low)
            case .escaped(let text):
                if text.isEmpty { return .invalid }
                guard text.utf8.count == 32, let bytes = Hex.decode(text), let id = TraceID(bytes: bytes) else {
                    throw typeError(expected)
                }
                return id
            }
        case UInt8(ascii: "n"):
            try literal("null")
            return .invalid
        default:
            throw mismatch(expected)
        }
    }

    /// A hex span id of either case; `""` and `null` read as the invalid id.
    mutating func readSpanID() throws(JSONFailure) -> SpanID {
        let expected = "expected 16 hex digits"
        switch try peekOrFail() {
        case UInt8(ascii: "\""):
            switch try scanStringToken() {
            case .raw(let start, let end):
                if start == end { return .invalid }
                guard end - start == 16, let value = hex64(at: start) else { throw typeError(expected) }
                return SpanID(value: value)
            case .escaped(let text):
                if text.isEmpty { return .invalid }
                guard text.utf8.count == 16, let bytes = Hex.decode(text), let id = SpanID(bytes: bytes) else {
                    throw typeError(expected)
                }
                return id
            }
        case UInt8(ascii: "n"):
            try literal("null")
            return .invalid
        default:
            throw mismatch(expected)
        }
    }

    /// Sixteen hex digits at `offset` as a big-endian value.
    private func hex64(at offset: Int) -> UInt64? {
        var value: UInt64 = 0
        for k in 0..<16 {
            guard let nibble = Self.hexValue(base[offset + k]) else { return nil }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }

    /// A bytes field in base64 (standard or URL-safe alphabet, padding optional); `null` reads as empty.
    mutating func readBytes() throws(JSONFailure) -> [UInt8] {
        let expected = "expected base64"
        switch try peekOrFail() {
        case UInt8(ascii: "\""):
            let decoded: [UInt8]?
            switch try scanStringToken() {
            case .raw(let start, let end):
                decoded = Base64.decode(UnsafeBufferPointer(start: base + start, count: end - start))
            case .escaped(let text):
                decoded = Array(text.utf8).withUnsafeBufferPointer { Base64.decode($0) }
            }
            guard let decoded else { throw typeError(expected) }
            return decoded
        case UInt8(ascii: "n"):
            try literal("null")
            return []
        default:
            throw mismatch(expected)
        }
    }
}
