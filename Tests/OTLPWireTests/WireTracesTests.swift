import GatewayCore
import OTLPWire
import Testing

/// Traces forwarded in the form they arrived in: the same checks as a decode, counted without decoding, merged and
/// split by whole encodings, and sent byte for byte.
@Suite struct WireTracesTests {
    static let request = OTLPProtobuf.encode(Fixtures.traces)

    static func wire(_ bytes: [UInt8]) throws -> Traces {
        try bytes.withUnsafeBytes { raw in try OTLPProtobuf.wireTraces(raw) }
    }

    static func decodeError(_ bytes: [UInt8]) -> String? {
        let arena = ProtobufArena()
        do {
            _ = try bytes.withUnsafeBytes { raw in try OTLPProtobuf.decodeTraces(raw, arena: arena) }
            return nil
        } catch { return (error as? OTLPDecodingError)?.message ?? "\(error)" }
    }

    static func wireError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try wire(bytes)
            return nil
        } catch { return (error as? OTLPDecodingError)?.message ?? "\(error)" }
    }

    /// A request with one span whose field `field` (of the Span, or of its Link when `inLink`) holds `length`
    /// bytes.
    static func request(idField field: Int, length: Int, inLink: Bool = false) -> [UInt8] {
        func lengthDelimited(_ number: Int, _ body: [UInt8]) -> [UInt8] {
            var out = [UInt8(number << 3 | 2)]
            var n = body.count
            while n >= 0x80 {
                out.append(UInt8(n & 0x7F | 0x80))
                n >>= 7
            }
            out.append(UInt8(n))
            return out + body
        }
        let id = lengthDelimited(field, Array(repeating: 7, count: length))
        let name = lengthDelimited(5, Array("op".utf8))
        let span = inLink ? name + lengthDelimited(13, id) : id + name
        return lengthDelimited(1, lengthDelimited(2, lengthDelimited(2, span)))
    }

    @Test func keepsTheBytesAndCountsWithoutDecoding() throws {
        let traces = try Self.wire(Self.request)
        let wire = try #require(traces.wire)
        #expect(traces.spanCount == Fixtures.traces.spanCount)
        #expect(traces.resourceSpanCount == 2)
        #expect(wire.byteCount == Self.request.count)
        #expect(OTLPProtobuf.encode(traces) == Self.request)
        #expect(traces.resourceSpans == Fixtures.traces.resourceSpans)
        #expect(traces == Fixtures.traces)
    }

    @Test func unknownFieldsTravelUntouched() throws {
        // Field 99 of the request (a varint) is unknown to this schema: a decode would drop it; forwarding keeps it.
        let request = Self.request + [0x98, 0x06, 0x01]
        let traces = try Self.wire(request)
        #expect(OTLPProtobuf.encode(traces) == request)
        #expect(traces.spanCount == Fixtures.traces.spanCount)
    }

    @Test func refusesWhatTheDecoderRefusesWithTheSameMessage() {
        let cases: [[UInt8]] = [
            Self.request(idField: 1, length: 15), Self.request(idField: 2, length: 9),
            Self.request(idField: 4, length: 1), Self.request(idField: 1, length: 17, inLink: true),
            Self.request(idField: 2, length: 4, inLink: true), Array(Self.request.dropLast()),
            [0x0A, 0x02, 0xC0, 0x80],
        ]
        for bytes in cases {
            let expected = Self.decodeError(bytes)
            #expect(expected != nil)
            #expect(Self.wireError(bytes) == expected)
        }
        #expect(
            Self.wireError(Self.request(idField: 4, length: 1))
                == #"span "op" parent: span id must be 8 bytes, got 1"#)
        for valid in [Self.request(idField: 1, length: 16), Self.request(idField: 2, length: 0, inLink: true)] {
            #expect(Self.decodeError(valid) == nil)
            #expect(Self.wireError(valid) == nil)
        }
    }

    @Test func aBatchListsTheEncodingsAndSendsTheirConcatenation() throws {
        var batch = try Self.wire(Self.request)
        batch.append(contentsOf: try Self.wire(Self.request))
        // A model joining a wire batch is encoded once and listed with the rest.
        batch.append(contentsOf: Fixtures.traces)
        let wire = try #require(batch.wire)
        #expect(wire.segments.count == 3)
        #expect(batch.spanCount == 3 * Fixtures.traces.spanCount)
        let sent = OTLPProtobuf.encode(batch)
        #expect(sent == Self.request + Self.request + Self.request)
        let arena = ProtobufArena()
        let decoded = try sent.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
        #expect(decoded.resourceSpans == Array(repeating: Fixtures.traces.resourceSpans, count: 3).flatMap { $0 })
    }

    @Test func splittingTakesWholeEncodingsAndCutsOnlyTheOneThatOverflows() throws {
        let perRequest = Fixtures.traces.spanCount  // 3
        var batch = try Self.wire(Self.request)
        for _ in 0..<3 { batch.append(contentsOf: try Self.wire(Self.request)) }
        let first = batch.removeFirst(items: perRequest * 2)
        #expect(first.spanCount == perRequest * 2)
        #expect(first.wire?.segments == [Self.request, Self.request])
        let second = batch.removeFirst(items: perRequest + 1)
        #expect(second.spanCount == perRequest + 1)
        #expect(batch.spanCount == perRequest - 1)
        #expect(second.wire?.segments.first == Self.request)
        // Nothing lost or repeated: what was split off and what is left make the original spans.
        let all = (second.resourceSpans + batch.resourceSpans).flatMap(\.scopeSpans).flatMap(\.spans)
        let original = (Fixtures.traces.resourceSpans + Fixtures.traces.resourceSpans).flatMap(\.scopeSpans)
            .flatMap(\.spans)
        #expect(all.map(\.name).sorted() == original.map(\.name).sorted())
        #expect(batch.wire != nil)
    }

    @Test func settingTheModelLeavesTheWireForm() throws {
        var traces = try Self.wire(Self.request)
        traces.resourceSpans[0].resource = Resource(attributes: ["service.name": .string("renamed")])
        #expect(traces.wire == nil)
        #expect(OTLPProtobuf.encode(traces) != Self.request)
        #expect(traces.spanCount == Fixtures.traces.spanCount)
    }
}
