/// A 16-byte trace id held as two big-endian halves, so it is a value type with no heap storage.
public struct TraceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static let invalid = TraceID(high: 0, low: 0)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From exactly 16 bytes; nil for any other length (OTLP allows an empty id, which callers map to `.invalid`).
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        high = h
        low = l
    }

    public var isValid: Bool { high != 0 || low != 0 }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    public var description: String { Hex.encode(bytes) }

    public static func < (a: TraceID, b: TraceID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// An 8-byte span id, big-endian in a `UInt64`.
public struct SpanID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt64

    public static let invalid = SpanID(value: 0)

    public init(value: UInt64) { self.value = value }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        value = v
    }

    public var isValid: Bool { value != 0 }

    public var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

    public var description: String { Hex.encode(bytes) }

    public static func < (a: SpanID, b: SpanID) -> Bool { a.value < b.value }
}
