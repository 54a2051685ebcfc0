/// A minimal protobuf encoder writing straight into one byte array.
///
/// Nested messages reserve one length byte and shift their content only when it turned out longer than 127
/// bytes, so encoding needs no size pre-pass and no intermediate buffers.
public struct ProtobufWriter {
    public internal(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    /// Appends what another writer wrote (whole fields).
    public mutating func append(_ other: ProtobufWriter) { bytes.append(contentsOf: other.bytes) }

    /// Takes the bytes written so far and starts empty again.
    public mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    @inline(__always)
    public mutating func varint(_ value: UInt64) { Self.appendVarint(value, to: &bytes) }

    /// Appends `value` as a varint to any byte array (the wire-form code writes into buffers it does not own).
    @inline(__always)
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Bytes `value` takes as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    @inline(__always)
    public mutating func tag(_ field: Int, _ wireType: UInt8) { varint(UInt64(field) << 3 | UInt64(wireType)) }

    public mutating func uint64(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        tag(field, 0)
        varint(v)
    }

    public mutating func int64(_ field: Int, _ v: Int64) { uint64(field, UInt64(bitPattern: v)) }
    public mutating func int32(_ field: Int, _ v: Int32) { uint64(field, UInt64(bitPattern: Int64(v))) }
    public mutating func uint32(_ field: Int, _ v: UInt32) { uint64(field, UInt64(v)) }
    public mutating func bool(_ field: Int, _ v: Bool) { uint64(field, v ? 1 : 0) }

    public mutating func sint32(_ field: Int, _ v: Int32) {
        guard v != 0 else { return }
        tag(field, 0)
        varint(UInt64(UInt32(bitPattern: (v << 1) ^ (v >> 31))))
    }

    public mutating func sint64(_ field: Int, _ v: Int64) {
        guard v != 0 else { return }
        tag(field, 0)
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    public mutating func fixed64Raw(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func fixed64(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        tag(field, 1)
        fixed64Raw(v)
    }

    public mutating func sfixed64(_ field: Int, _ v: Int64) { fixed64(field, UInt64(bitPattern: v)) }

    /// A double, written even when zero if `always` (oneof members and optional fields carry presence).
    public mutating func double(_ field: Int, _ v: Double, always: Bool = false) {
        guard always || v.bitPattern != 0 else { return }
        tag(field, 1)
        fixed64Raw(v.bitPattern)
    }

    public mutating func string(_ field: Int, _ s: String, always: Bool = false) {
        guard always || !s.isEmpty else { return }
        tag(field, 2)
        var s = s
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func bytes(_ field: Int, _ b: [UInt8], always: Bool = false) {
        guard always || !b.isEmpty else { return }
        tag(field, 2)
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    public mutating func packedFixed64(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        tag(field, 2)
        varint(UInt64(values.count * 8))
        for v in values { fixed64Raw(v) }
    }

    public mutating func packedDouble(_ field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        tag(field, 2)
        varint(UInt64(values.count * 8))
        for v in values { fixed64Raw(v.bitPattern) }
    }

    public mutating func packedVarint(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        nested(field) { w in for v in values { w.varint(v) } }
    }

    /// Writes a length-delimited field whose content `body` appends. Empty content is still written when
    /// `always` (a present but empty sub-message).
    public mutating func nested(_ field: Int, always: Bool = true, _ body: (inout ProtobufWriter) -> Void) {
        let mark = bytes.count
        tag(field, 2)
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthAt - 1
        if length == 0 && !always {
            bytes.removeSubrange(mark...)
            return
        }
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        var v = UInt64(length)
        while v >= 0x80 {
            prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        prefix.append(UInt8(v))
        bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: prefix)
    }
}
