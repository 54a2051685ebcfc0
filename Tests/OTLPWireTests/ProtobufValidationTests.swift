import GatewayCore
import OTLPWire
import Testing

/// The non-recursive validator that runs before protobuf-c's unpack (`OTLPProtobuf.validate`): messages are
/// written byte by byte here, since the point is what an encoder would never produce.
@Suite struct ProtobufValidationTests {
    static func varint(_ n: Int) -> [UInt8] {
        var n = UInt64(n)
        var out: [UInt8] = []
        repeat {
            let b = UInt8(n & 0x7F)
            n >>= 7
            out.append(n == 0 ? b : b | 0x80)
        } while n != 0
        return out
    }

    static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(payload.count) + payload
    }

    static func nested(_ depth: Int, kvlist: Bool = false) -> [UInt8] {
        var value = field(1, Array("leaf".utf8))
        for _ in 1..<depth {
            value = kvlist ? field(6, field(1, field(1, [0x6B]) + field(2, value))) : field(5, field(1, value))
        }
        return value
    }

    /// An ExportTraceServiceRequest with one span named `name` whose attribute "a" holds `value`.
    static func traces(_ value: [UInt8], name: [UInt8] = Array("s".utf8), extra: [UInt8] = []) -> [UInt8] {
        let span =
            field(1, Array(repeating: 1, count: 16)) + field(2, Array(repeating: 2, count: 8)) + field(5, name)
            + field(9, field(1, [0x61]) + field(2, value)) + extra
        return field(1, field(2, field(2, span)))
    }

    static func check(_ bytes: [UInt8], _ signal: Signal = .traces) -> String? {
        do {
            try bytes.withUnsafeBytes { try OTLPProtobuf.validate($0, signal: signal) }
            return nil
        } catch let error as OTLPDecodingError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func nestingAtTheLimitPassesAndOneMoreIsRefused() {
        #expect(Self.check(Self.traces(Self.nested(32))) == nil)
        #expect(Self.check(Self.traces(Self.nested(32, kvlist: true))) == nil)
        let refused = Self.check(Self.traces(Self.nested(33)))
        #expect(refused?.contains("AnyValue nested deeper than 32 levels") == true)
        #expect(Self.check(Self.traces(Self.nested(33, kvlist: true)))?.contains("nested deeper than 32") == true)
    }

    @Test func thousandsOfLevelsAreRefusedWithoutRecursion() {
        // Deep enough that a recursive decoder would exhaust a thread's stack.
        let deep = Self.traces(Self.nested(20_000))
        #expect(Self.check(deep)?.contains("AnyValue nested deeper than 32 levels") == true)
        let arena = ProtobufArena()
        #expect(throws: OTLPDecodingError.self) {
            try deep.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
        }
    }

    @Test(arguments: [
        [0xC0, 0xAF] as [UInt8],  // overlong "/"
        [0xED, 0xA0, 0x80],  // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xE2, 0x82],  // truncated sequence
        [0x80],  // lone continuation byte
        [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xFF],  // after a run of ASCII
    ])
    func invalidUTF8InAStringFieldIsRefused(_ bytes: [UInt8]) {
        let message = Self.check(Self.traces(Self.field(1, [0x78]), name: bytes))
        #expect(message?.contains("string field is not valid UTF-8 (Span.name") == true, "\(message ?? "accepted")")
    }

    @Test func aNulInAStringIsRefusedRatherThanCut() {
        // protobuf-c returns strings NUL-terminated: "a\0b" would silently become "a".
        let message = Self.check(Self.traces(Self.field(1, [0x61, 0x00, 0x62])))
        #expect(message?.contains("U+0000") == true, "\(message ?? "accepted")")
        // In bytes_value a zero byte is just a byte.
        #expect(Self.check(Self.traces(Self.field(7, [0x61, 0x00, 0x62]))) == nil)
    }

    @Test func validUTF8AndBytesFieldsPass() {
        #expect(Self.check(Self.traces(Self.field(1, Array("grüße ✓ 𝄞".utf8)))) == nil)
        // bytes_value (7) may hold anything.
        #expect(Self.check(Self.traces(Self.field(7, [0xFF, 0xFE, 0xC0]))) == nil)
    }

    @Test func wireTypeMismatchTruncationAndGroupsAreRefused() {
        // Span.name (5) sent as a varint.
        #expect(Self.check(Self.traces(Self.field(1, [0x78]), extra: [5 << 3 | 0, 1]))?.contains("wire type") == true)
        // A length running past the end of its message.
        #expect(Self.check([0x0A, 0x05, 0x12, 0x10])?.contains("truncated") == true)
        // A group (wire type 3), field number 0, an 11-byte varint.
        #expect(Self.check([3 << 3 | 3]) != nil)
        #expect(Self.check([0x02, 0x00]) != nil)
        #expect(Self.check([0x08] + Array(repeating: 0xFF, count: 10) + [0x01]) != nil)
    }

    @Test func unknownFieldsArePassedOverWhenWellFormed() {
        let unknown =
            Self.varint(999 << 3 | 0) + [0x01] + Self.field(1000, [1, 2, 3])
            + Self.varint(1001 << 3 | 5) + [0, 0, 0, 0] + Self.varint(1002 << 3 | 1) + Array(repeating: 0, count: 8)
        #expect(Self.check(Self.traces(Self.field(1, [0x78]), extra: unknown)) == nil)
    }

    @Test func packedFieldsMustHoldWholeElements() {
        // HistogramDataPoint.bucket_counts (6, fixed64) and explicit_bounds (7, double), packed.
        func metrics(_ packed: [UInt8]) -> [UInt8] {
            let point = Self.field(6, packed)
            let metric = Self.field(1, [0x6D]) + Self.field(9, Self.field(1, point))
            return Self.field(1, Self.field(2, Self.field(2, metric)))
        }
        #expect(Self.check(metrics(Array(repeating: 0, count: 16)), .metrics) == nil)
        #expect(Self.check(metrics(Array(repeating: 0, count: 12)), .metrics)?.contains("packed") == true)
    }

    @Test func realSDKShapedRequestsPass() throws {
        for signal in Signal.allCases {
            let bytes: [UInt8]
            switch signal {
            case .traces: bytes = OTLPProtobuf.encode(Fixtures.traces)
            case .metrics: bytes = OTLPProtobuf.encode(Fixtures.metrics)
            case .logs: bytes = OTLPProtobuf.encode(Fixtures.logs)
            }
            #expect(Self.check(bytes, signal) == nil, "\(signal)")
        }
    }
}
