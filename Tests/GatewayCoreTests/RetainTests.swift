import GatewayCore
import Testing

@Suite struct RetainTests {
    @Test func retainSpansDropsEmptiedGroupsChangesKeptSpansAndKeepsMetadata() {
        let spans = (1...4).map {
            Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: UInt64($0)), name: "s\($0)")
        }
        var traces = Traces(resourceSpans: [
            ResourceSpans(
                resource: Resource(attributes: ["service.name": .string("a")]),
                scopeSpans: [ScopeSpans(spans: Array(spans.prefix(2))), ScopeSpans(spans: [spans[2]])]),
            ResourceSpans(
                resource: Resource(attributes: ["service.name": .string("b")]),
                scopeSpans: [ScopeSpans(spans: [spans[3]])]),
        ])
        traces.metadata = ClientMetadata(headers: [("X-Tenant", "t1")])
        traces.retainSpans { span, resource, _ in
            span.name += "!"
            return span.spanID.value == 1 && resource.attributes["service.name"] == .string("a")
        }
        #expect(traces.resourceSpans.count == 1)
        #expect(traces.resourceSpans[0].scopeSpans.count == 1)
        #expect(traces.resourceSpans[0].scopeSpans[0].spans.map(\.name) == ["s1!"])
        #expect(traces.metadata["x-tenant"] == ["t1"])
    }

    @Test func retainLogRecordsDropsEmptiedGroupsAndKeepsMetadata() {
        var logs = Logs(resourceLogs: [
            ResourceLogs(scopeLogs: [
                ScopeLogs(logRecords: [LogRecord(body: .string("x")), LogRecord(body: .string("y"))])
            ]),
            ResourceLogs(scopeLogs: [ScopeLogs(logRecords: [LogRecord(body: .string("z"))])]),
        ])
        logs.metadata = ClientMetadata(headers: [("X-Tenant", "t1")])
        logs.retainLogRecords { record, _, _ in record.body == .string("y") }
        #expect(logs.logRecordCount == 1 && logs.resourceLogs.count == 1)
        #expect(logs.metadata["x-tenant"] == ["t1"])
    }
}
