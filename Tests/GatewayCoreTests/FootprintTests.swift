import GatewayCore
import Testing

@Suite struct FootprintTests {
    @Test func chargesOverheadsAndStringsOfEverySignal() {
        let resource = Resource(attributes: ["service.name": .string("svc")])  // 64 + 48 + 12 + 3
        let scope = InstrumentationScope(name: "lib", version: "1")  // 64 + 4
        let span = Span(
            traceID: TraceID(high: 1, low: 2), spanID: SpanID(value: 3), name: "GET",
            attributes: ["k": .array([.string("ab"), .int(1)])])  // 192 + 3 + 48 + 1 + (16 + 2) + 16
        let traces = Traces(resourceSpans: [
            ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: scope, spans: [span, span])])
        ])
        #expect(Footprint.of(span) == 278)
        #expect(traces.estimatedBytes == 127 + 68 + 2 * 278)

        let point = NumberDataPoint(attributes: ["a": .string("b")], timeUnixNano: 1, value: .int(1))  // 96 + 50
        let metrics = Metrics(resourceMetrics: [
            ResourceMetrics(
                resource: resource,
                scopeMetrics: [
                    ScopeMetrics(
                        scope: scope, metrics: [Metric(name: "m", data: .gauge([point, point]))])  // 64 + 1
                ])
        ])
        #expect(metrics.estimatedBytes == 127 + 68 + 65 + 2 * 146)

        let record = LogRecord(body: .string("hello"), attributes: ["x": .bool(true)])  // 96 + 5 + 49
        let logs = Logs(resourceLogs: [
            ResourceLogs(resource: resource, scopeLogs: [ScopeLogs(scope: scope, logRecords: [record])])
        ])
        #expect(logs.estimatedBytes == 127 + 68 + 150)
    }
}
