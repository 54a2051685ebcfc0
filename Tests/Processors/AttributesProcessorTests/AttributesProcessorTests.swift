import AttributesProcessor
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import TestSupport
import Testing

@Suite struct AttributesProcessorTests {
    static func config(_ body: String, signal: String = "traces") throws -> AttributesProcessorConfig {
        let yaml = document(
            processors: "attributes:\n" + body,
            service:
                "pipelines:\n  \(signal):\n    receivers: [otlp]\n    processors: [attributes]\n    exporters: [debug]")
        let parsed = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        return try #require(parsed.processors[ComponentID(type: "attributes")] as? AttributesProcessorConfig)
    }

    static func span(_ name: String, kind: SpanKind = .server, _ attributes: Attributes = [:]) -> Span {
        Span(
            traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: UInt64(name.count)), name: name, kind: kind,
            attributes: attributes)
    }

    static func traces(service: String, scope: String = "lib", _ spans: [Span]) -> Traces {
        Traces(resourceSpans: [
            ResourceSpans(
                resource: Resource(attributes: ["service.name": .string(service)]),
                scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: scope), spans: spans)])
        ])
    }

    static func run(_ config: AttributesProcessorConfig, _ traces: Traces) throws -> [String: Attributes] {
        let sink = RecordingConsumer<Traces>()
        try AttributesProcessor(config: config, next: sink).consume(traces)
        var out: [String: Attributes] = [:]
        for rs in sink.received.flatMap(\.resourceSpans) {
            for ss in rs.scopeSpans { for span in ss.spans { out[span.name] = span.attributes } }
        }
        return out
    }

    @Test func includeSelectsByServiceAndSpanNameStrictly() throws {
        let config = try Self.config(
            """
              include:
                match_type: strict
                services: [api]
                span_names: [GET /users]
              actions:
                - {key: tagged, value: true, action: insert}
            """)
        let api = try Self.run(
            config, Self.traces(service: "api", [Self.span("GET /users"), Self.span("GET /orders")]))
        #expect(api["GET /users"]?["tagged"] == .bool(true))
        #expect(api["GET /orders"]?["tagged"] == nil)
        let other = try Self.run(config, Self.traces(service: "web", [Self.span("GET /users")]))
        #expect(other["GET /users"]?["tagged"] == nil)
    }

    @Test func excludeWithRegexpAttributesAndKinds() throws {
        let config = try Self.config(
            """
              exclude:
                match_type: regexp
                span_kinds: [CLIENT$]
                attributes:
                  - {key: http.route, value: ^/health}
              actions:
                - {key: user.email, action: hash}
            """)
        let email: Attributes = ["user.email": .string("a@b.c")]
        var health = email
        health.set("http.route", .string("/healthz"))
        let out = try Self.run(
            config,
            Self.traces(
                service: "api",
                [
                    Self.span("server", email), Self.span("client", kind: .client, email),
                    Self.span("health", health),
                ]))
        // Excluded only when every property matches: a client span without the route attribute is changed too.
        #expect(out["server"]?["user.email"] != .string("a@b.c"))
        #expect(out["client"]?["user.email"] != .string("a@b.c"))
        #expect(out["health"]?["user.email"] != .string("a@b.c"))
        let both = try Self.config(
            """
              exclude:
                match_type: regexp
                attributes:
                  - {key: http.route, value: ^/health}
              actions:
                - {key: user.email, action: hash}
            """)
        let kept = try Self.run(
            both, Self.traces(service: "api", [Self.span("health", health), Self.span("s", email)]))
        #expect(kept["health"]?["user.email"] == .string("a@b.c"))
        #expect(kept["s"]?["user.email"] != .string("a@b.c"))
    }

    @Test func metricsByNameOnDataPoints() throws {
        let config = try Self.config(
            """
              include:
                match_type: regexp
                metric_names: ["^vllm:"]
              actions:
                - {key: pod, action: delete}
            """, signal: "metrics")
        let point = NumberDataPoint(
            attributes: ["pod": .string("p"), "model": .string("m")], timeUnixNano: 1, value: .int(1))
        let metrics = Metrics(resourceMetrics: [
            ResourceMetrics(scopeMetrics: [
                ScopeMetrics(metrics: [
                    Metric(name: "vllm:num_requests_running", data: .gauge([point])),
                    Metric(name: "process_cpu_seconds_total", data: .gauge([point])),
                ])
            ])
        ])
        let sink = RecordingConsumer<Metrics>()
        try AttributesProcessor(config: config, next: sink).consume(metrics)
        let out = try #require(sink.received.first?.resourceMetrics.first?.scopeMetrics.first?.metrics)
        guard case .gauge(let vllm) = out[0].data, case .gauge(let process) = out[1].data else {
            Issue.record("not gauges")
            return
        }
        #expect(vllm[0].attributes == ["model": .string("m")])
        #expect(process[0].attributes["pod"] == .string("p"))
    }

    @Test func logsBySeverity() throws {
        let config = try Self.config(
            """
              include:
                match_type: strict
                log_severity_number: {min: 17}
              actions:
                - {key: alert, value: "yes", action: upsert}
            """, signal: "logs")
        let records = [
            LogRecord(timeUnixNano: 1, severityNumber: 17, body: .string("error")),
            LogRecord(timeUnixNano: 2, severityNumber: 9, body: .string("info")),
        ]
        let sink = RecordingConsumer<Logs>()
        try AttributesProcessor(config: config, next: sink).consume(
            Logs(resourceLogs: [ResourceLogs(scopeLogs: [ScopeLogs(logRecords: records)])]))
        let out = try #require(sink.received.first?.resourceLogs.first?.scopeLogs.first?.logRecords)
        #expect(out[0].attributes["alert"] == .string("yes"))
        #expect(out[1].attributes["alert"] == nil)
    }

    @Test func aPropertyOfAnotherSignalIsRefusedInThatPipeline() {
        let yaml = document(
            processors:
                "attributes:\n  include:\n    match_type: strict\n    span_names: [x]\n  actions:\n    - {key: a, action: delete}",
            service:
                "pipelines:\n  metrics:\n    receivers: [otlp]\n    processors: [attributes]\n    exporters: [debug]")
        #expect(
            problems(yaml) == [
                #"service.pipelines.metrics.processors: "attributes" include.span_names does not apply to metrics"#
            ])
        #expect(
            problems(
                document(
                    processors:
                        "attributes:\n  include:\n    services: [a]\n  actions:\n    - {key: a, action: delete}",
                    service:
                        "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [attributes]\n    exporters: [debug]"
                ))
                == ["processors.attributes.include.match_type: required: strict or regexp"])
    }
}
