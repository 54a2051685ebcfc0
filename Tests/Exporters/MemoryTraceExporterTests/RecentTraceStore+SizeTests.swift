import GatewayCore
import MemoryTraceExporter
import Testing

@Suite struct RecentTraceStoreSizeTests {
    @Test func bareSpanIsOverheadPlusNameLength() {
        #expect(RecentTraceStore.estimatedSize(of: makeSpan(trace: 1, id: 1, name: "abc")) == 195)
        #expect(RecentTraceStore.estimatedSize(of: spanOfSize(250, trace: 1, id: 1)) == 250)
    }

    @Test func stringsAttributesEventsAndLinksAreCharged() {
        var span = makeSpan(trace: 1, id: 1, name: "ab", attributes: ["k": .string("vvv"), "n": .int(7)])
        span.traceState = "t=1"
        span.status = SpanStatus(code: .error, message: "boom")
        span.events = [SpanEvent(timeUnixNano: 1, name: "ev", attributes: ["e": .bytes([1, 2])])]
        span.links = [SpanLink(traceID: traceID(2), spanID: SpanID(value: 3), traceState: "x")]
        let expected =
            192 + 2 + 3 + 4  // overhead, name, trace state, status message
            + (48 + 1 + 3) + (48 + 1 + 0)  // "k": "vvv", "n": 7
            + (64 + 2 + (48 + 1 + 2))  // event "ev" with "e": 2 bytes
            + (64 + 1)  // link with trace state "x"
        #expect(RecentTraceStore.estimatedSize(of: span) == expected)
    }

    @Test func nestedValuesChargeEachElement() {
        let span = makeSpan(
            trace: 1, id: 1, name: "",
            attributes: [
                "a": .array([.string("xy"), .int(1)]),
                "m": .keyValueList([Attribute(key: "kk", value: .string("v"))]),
            ]
        )
        let expected = 192 + (48 + 1 + (16 + 2) + (16 + 0)) + (48 + 1 + (16 + 2 + 1))
        #expect(RecentTraceStore.estimatedSize(of: span) == expected)
    }
}
