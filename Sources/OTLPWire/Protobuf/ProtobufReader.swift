/// A minimal protobuf field walker, for the few small messages we read without generated code
/// (`google.rpc.Status` details carrying `RetryInfo`).
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    private mutating func varint() -> UInt64? { Self.varint(bytes, &index) }

    /// The varint at `index` of `bytes`, advancing `index` past it; nil when truncated or longer than 64 bits.
    static func varint(_ bytes: ArraySlice<UInt8>, _ index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let b = bytes[index]
            index += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// The next field, or nil at the end or on malformed input.
    mutating func next() -> (field: Int, value: Value)? {
        guard index < bytes.endIndex, let key = varint() else { return nil }
        let field = Int(key >> 3)
        switch key & 7 {
        case 0:
            guard let v = varint() else { return nil }
            return (field, .varint(v))
        case 1:
            guard bytes.endIndex - index >= 8 else { return nil }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[index + i]) << (8 * UInt64(i)) }
            index += 8
            return (field, .fixed64(v))
        case 2:
            guard let n = varint(), n <= UInt64(bytes.endIndex - index) else { return nil }
            let slice = bytes[index..<(index + Int(n))]
            index += Int(n)
            return (field, .bytes(slice))
        case 5:
            guard bytes.endIndex - index >= 4 else { return nil }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[index + i]) << (8 * UInt32(i)) }
            index += 4
            return (field, .fixed32(v))
        default:
            return nil
        }
    }
}

extension OTLPProtobuf {
    /// The delay of a `google.rpc.RetryInfo` inside a serialized `google.rpc.Status` (gRPC's
    /// `grpc-status-details-bin`, or an OTLP/HTTP error body); nil when there is none.
    public static func retryDelay(fromStatus bytes: [UInt8]) -> Duration? {
        var status = ProtobufReader(bytes[...])
        while let (field, value) = status.next() {
            guard field == 3, case .bytes(let any) = value else { continue }
            var typeURL = ""
            var payload: ArraySlice<UInt8> = []
            var reader = ProtobufReader(any)
            while let (f, v) = reader.next() {
                if f == 1, case .bytes(let s) = v { typeURL = String(decoding: s, as: UTF8.self) }
                if f == 2, case .bytes(let p) = v { payload = p }
            }
            guard typeURL.hasSuffix("google.rpc.RetryInfo") else { continue }
            var retryInfo = ProtobufReader(payload)
            while let (f, v) = retryInfo.next() {
                guard f == 1, case .bytes(let durationBytes) = v else { continue }
                var seconds: Int64 = 0
                var nanos: Int64 = 0
                var duration = ProtobufReader(durationBytes)
                while let (df, dv) = duration.next() {
                    if df == 1, case .varint(let s) = dv { seconds = Int64(bitPattern: s) }
                    if df == 2, case .varint(let n) = dv { nanos = Int64(Int32(truncatingIfNeeded: n)) }
                }
                return .seconds(seconds) + .nanoseconds(nanos)
            }
        }
        return nil
    }

    /// The message of a serialized `google.rpc.Status` (an OTLP/HTTP error body).
    public static func statusMessage(_ bytes: [UInt8]) -> String? {
        var status = ProtobufReader(bytes[...])
        while let (field, value) = status.next() {
            if field == 2, case .bytes(let s) = value { return String(decoding: s, as: UTF8.self) }
        }
        return nil
    }

    /// `partial_success` of an `Export*ServiceResponse` (all three share the layout: field 1 holds
    /// `rejected_<items>` = 1 and `error_message` = 2).
    public static func partialSuccess(_ bytes: [UInt8]) -> (rejected: Int64, message: String) {
        var response = ProtobufReader(bytes[...])
        var rejected: Int64 = 0
        var message = ""
        while let (field, value) = response.next() {
            guard field == 1, case .bytes(let partial) = value else { continue }
            var reader = ProtobufReader(partial)
            while let (f, v) = reader.next() {
                if f == 1, case .varint(let n) = v { rejected = Int64(bitPattern: n) }
                if f == 2, case .bytes(let s) = v { message = String(decoding: s, as: UTF8.self) }
            }
        }
        return (rejected, message)
    }
}
