import GatewayCore
import OTLPWire
import Testing

@Suite struct OTLPProtobufTests {
    let arena = ProtobufArena(initialChunkSize: 256)

    @Test func tracesRoundTripThroughProtobufC() throws {
        let bytes = OTLPProtobuf.encode(Fixtures.traces)
        let decoded = try bytes.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
        #expect(decoded == Fixtures.traces)
        #expect(decoded.spanCount == 3)
    }

    @Test func metricsRoundTripKeepsPresenceOfOptionalFields() throws {
        let bytes = OTLPProtobuf.encode(Fixtures.metrics)
        let decoded = try bytes.withUnsafeBytes { try OTLPProtobuf.decodeMetrics($0, arena: arena) }
        #expect(decoded == Fixtures.metrics)
        guard case .histogram(let h) = decoded.resourceMetrics[0].scopeMetrics[0].metrics[2].data else {
            Issue.record("expected a histogram")
            return
        }
        // sum = 0 was sent (present), the second point had none.
        #expect(h.dataPoints[0].sum == 0)
        #expect(h.dataPoints[1].sum == nil)
        #expect(decoded.dataPointCount == 7)
    }

    @Test func logsRoundTrip() throws {
        let bytes = OTLPProtobuf.encode(Fixtures.logs)
        let decoded = try bytes.withUnsafeBytes { try OTLPProtobuf.decodeLogs($0, arena: arena) }
        #expect(decoded == Fixtures.logs)
    }

    @Test func arenaIsReusedAcrossManyDecodes() throws {
        let bytes = OTLPProtobuf.encode(Fixtures.traces)
        for _ in 0..<200 {
            let decoded = try bytes.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
            #expect(decoded.spanCount == 3)
            #expect(arena.allocatedBytes == 0)
        }
    }

    @Test func truncatedAndGarbageInputAreErrorsNotCrashes() throws {
        let bytes = OTLPProtobuf.encode(Fixtures.traces)
        for cut in stride(from: 1, to: bytes.count, by: 7) {
            let prefix = Array(bytes.prefix(cut))
            // Some prefixes end on a field boundary and are valid messages; the rest must throw.
            _ = try? prefix.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
        }
        #expect(throws: OTLPDecodingError.self) {
            try [UInt8]([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).withUnsafeBytes {
                try OTLPProtobuf.decodeTraces($0, arena: arena)
            }
        }
        let truncated = Array(bytes.dropLast(3))
        #expect(throws: OTLPDecodingError.self) {
            try truncated.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
        }
    }

    @Test func wrongLengthIdsAreRefusedWithAMessage() throws {
        // ResourceSpans{ScopeSpans{Span{trace_id: 3 bytes}}}
        var w: [UInt8] = [0x0A, 7, 0x12, 5, 0x12, 3, 0x0A, 1, 0xAB]
        w[1] = UInt8(w.count - 2)
        let error = #expect(throws: OTLPDecodingError.self) {
            try w.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: arena) }
        }
        #expect(error?.message.contains("trace id must be 16 bytes, got 1") == true)
    }

    @Test func emptyBodyIsAnEmptyRequest() throws {
        let decoded = try [UInt8]().withUnsafeBytes { try OTLPProtobuf.decodeMetrics($0, arena: arena) }
        #expect(decoded.resourceMetrics.isEmpty)
    }

    @Test func arenaLimitFailsCleanly() throws {
        let small = ProtobufArena(initialChunkSize: 64, limit: 128)
        let bytes = OTLPProtobuf.encode(Fixtures.traces)
        #expect(throws: OTLPDecodingError.self) {
            try bytes.withUnsafeBytes { try OTLPProtobuf.decodeTraces($0, arena: small) }
        }
    }

    @Test func responsesAndStatusEncodeExactly() {
        #expect(OTLPProtobuf.encodeExportResponse(rejected: 0, errorMessage: "").isEmpty)
        #expect(OTLPProtobuf.encodeExportResponse(rejected: 3, errorMessage: "x") == [0x0A, 5, 0x08, 3, 0x12, 1, 0x78])
        #expect(OTLPProtobuf.encodeStatus(code: 3, message: "bad") == [0x08, 3, 0x12, 3, 0x62, 0x61, 0x64])
        let withRetry = OTLPProtobuf.encodeStatus(code: 14, message: "", retryAfterSeconds: 5)
        let typeURL = Array("type.googleapis.com/google.rpc.RetryInfo".utf8)
        // details{type_url, value=RetryInfo{retry_delay=Duration{seconds=5}}}
        let any = [0x0A, UInt8(typeURL.count)] + typeURL + [0x12, 4, 0x0A, 2, 0x08, 5]
        #expect(withRetry == [0x08, 14, 0x1A, UInt8(any.count)] + any)
    }
}
