import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import OTLPWire
import ResourceProcessor
import TestSupport
import Testing

@Suite struct ResourceProcessorTests {
    static func config(_ body: String) throws -> ResourceProcessorConfig {
        let yaml = document(
            processors: "resource:\n  attributes:\n" + body,
            service: "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [resource]\n    exporters: [debug]")
        let parsed = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        return try #require(parsed.processors[ComponentID(type: "resource")] as? ResourceProcessorConfig)
    }

    static let body = """
            - {key: k8s.pod.name, value: pod-1, action: upsert}
            - {key: secret, action: delete}
            - {key: service.name, value: overwritten, action: insert}
        """

    @Test func changesEveryResourceOfEverySignal() throws {
        let config = try Self.config(Self.body)
        let resource = Resource(attributes: ["service.name": .string("api"), "secret": .string("s")])
        let expected: Attributes = ["service.name": .string("api"), "k8s.pod.name": .string("pod-1")]

        let traces = RecordingConsumer<Traces>()
        try ResourceProcessor(actions: config.actions, next: traces).consume(
            Traces(resourceSpans: [ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(spans: [])])]))
        #expect(traces.received.first?.resourceSpans.first?.resource.attributes == expected)

        let metrics = RecordingConsumer<Metrics>()
        try ResourceProcessor(actions: config.actions, next: metrics).consume(
            Metrics(resourceMetrics: [ResourceMetrics(resource: resource)]))
        #expect(metrics.received.first?.resourceMetrics.first?.resource.attributes == expected)

        let logs = RecordingConsumer<Logs>()
        try ResourceProcessor(actions: config.actions, next: logs).consume(
            Logs(resourceLogs: [ResourceLogs(resource: resource)]))
        #expect(logs.received.first?.resourceLogs.first?.resource.attributes == expected)
    }

    @Test func wireTracesAreDecodedAndSentChanged() throws {
        let config = try Self.config(Self.body)
        let model = Traces(resourceSpans: [
            ResourceSpans(
                resource: Resource(attributes: ["service.name": .string("api")]),
                scopeSpans: [
                    ScopeSpans(spans: [Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(value: 3), name: "op")])
                ])
        ])
        let wire = try OTLPProtobuf.encode(model).withUnsafeBytes { try OTLPProtobuf.wireTraces($0) }
        #expect(wire.wire != nil)
        let sink = RecordingConsumer<Traces>()
        try ResourceProcessor(actions: config.actions, next: sink).consume(wire)
        let out = try #require(sink.received.first)
        #expect(out.wire == nil)
        #expect(out.resourceSpans[0].resource.attributes["k8s.pod.name"] == .string("pod-1"))
        #expect(out.spanCount == 1)
    }

    @Test func needsAtLeastOneAction() {
        #expect(
            problems(
                document(
                    processors: "resource:",
                    service:
                        "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [resource]\n    exporters: [debug]"
                ))
                == ["processors.resource.attributes: required: at least one action"])
    }
}
