import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import OTTL
import TestSupport
import Testing

@testable import TransformProcessor

@Suite struct TransformProcessorTests {
    static func config(_ body: String, signal: String = "traces") throws -> TransformProcessorConfig {
        let yaml = document(
            processors: "transform:\n" + body,
            service:
                "pipelines:\n  \(signal):\n    receivers: [otlp]\n    processors: [transform]\n    exporters: [debug]")
        let parsed = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        return try #require(parsed.processors[ComponentID(type: "transform")] as? TransformProcessorConfig)
    }

    static func run(_ config: TransformProcessorConfig, _ traces: Traces) throws -> Traces {
        let sink = RecordingConsumer<Traces>()
        try TransformProcessor<Traces>(config: config, next: sink).consume(traces)
        return try #require(sink.received.first)
    }

    static let traces = Traces(resourceSpans: [
        ResourceSpans(
            resource: Resource(attributes: ["service.name": .string("api"), "env": .string("prod")]),
            scopeSpans: [
                ScopeSpans(
                    scope: InstrumentationScope(name: "lib"),
                    spans: [
                        Span(
                            traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: 1), name: "GET /users/123",
                            attributes: [
                                "http.request.header.authorization": .string("Bearer x"),
                                "db.statement": .string(String(repeating: "é", count: 10)),
                                "user.id": .int(7), "keep": .bool(true),
                            ],
                            events: [SpanEvent(timeUnixNano: 1, name: "exception")]),
                        Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: 2), name: "SELECT"),
                    ])
            ])
    ])

    @Test func structuredStatementsWithWhereAndGroupConditions() throws {
        let config = try Self.config(
            """
              error_mode: ignore
              trace_statements:
                - context: resource
                  statements:
                    - set(attributes["deployment"], "blue") where attributes["env"] == "prod"
                    - delete_key(attributes, "env")
                - context: span
                  conditions:
                    - IsMatch(name, "^GET ")
                  statements:
                    - delete_key(attributes, "http.request.header.authorization")
                    - replace_pattern(name, "/users/[0-9]+", "/users/{id}")
                    - truncate_all(attributes, 5)
                    - set(attributes["copied"], attributes["user.id"])
                - context: spanevent
                  statements:
                    - set(attributes["seen"], span.name)
            """)
        let out = try Self.run(config, Self.traces)
        let rs = out.resourceSpans[0]
        #expect(rs.resource.attributes == ["service.name": .string("api"), "deployment": .string("blue")])
        let get = rs.scopeSpans[0].spans[0]
        #expect(get.name == "GET /users/{id}")
        #expect(get.attributes["http.request.header.authorization"] == nil)
        // Five bytes of two-byte characters: two of them.
        #expect(get.attributes["db.statement"] == .string("éé"))
        #expect(get.attributes["copied"] == .int(7))
        #expect(get.events[0].attributes["seen"] == .string("GET /users/{id}"))
        // The group's condition: the other span is untouched.
        #expect(rs.scopeSpans[0].spans[1].attributes.isEmpty)
    }

    @Test func flatStatementsTakeTheirContextFromTheirPaths() throws {
        let config = try Self.config(
            """
              trace_statements:
                - 'keep_keys(span.attributes, ["keep", "user.id"])'
                - 'set(resource.attributes["team"], "core")'
                - 'replace_all_patterns(span.attributes, "key", "^user\\\\.", "enduser.")'
                - 'limit(span.attributes, 1, ["keep"])'
            """)
        let out = try Self.run(config, Self.traces)
        #expect(out.resourceSpans[0].resource.attributes["team"] == .string("core"))
        #expect(out.resourceSpans[0].scopeSpans[0].spans[0].attributes == ["keep": .bool(true)])
    }

    @Test func replacementGroupsExpandAsGoDoes() throws {
        let regex = try CompiledRegex(#"(?P<verb>[A-Z]+) /(\w+)/"#)
        #expect(CompiledStatement.replace("GET /users/1", regex, "$2 via ${verb}: $$") == "users via GET: $1")
    }

    @Test func metricsDataPointsAndLogs() throws {
        let config = try Self.config(
            """
              metric_statements:
                - context: datapoint
                  statements: ['keep_keys(attributes, ["model_name"]) where metric.name == "vllm:requests"']
                - context: metric
                  statements: ['set(name, "renamed") where name == "old"']
            """, signal: "metrics")
        let point = NumberDataPoint(
            attributes: ["model_name": .string("m"), "pod": .string("p")], timeUnixNano: 1, value: .int(1))
        let sink = RecordingConsumer<Metrics>()
        try TransformProcessor<Metrics>(config: config, next: sink).consume(
            Metrics(resourceMetrics: [
                ResourceMetrics(scopeMetrics: [
                    ScopeMetrics(metrics: [
                        Metric(name: "vllm:requests", data: .gauge([point])),
                        Metric(name: "old", data: .gauge([point])),
                    ])
                ])
            ]))
        let metrics = try #require(sink.received.first?.resourceMetrics[0].scopeMetrics[0].metrics)
        guard case .gauge(let kept) = metrics[0].data, case .gauge(let untouched) = metrics[1].data else {
            Issue.record("not gauges")
            return
        }
        #expect(kept[0].attributes == ["model_name": .string("m")])
        #expect(untouched[0].attributes.count == 2)
        #expect(metrics[1].name == "renamed")

        let logConfig = try Self.config(
            "  log_statements:\n    - context: log\n      statements: ['set(severity_text, \"WARN\") where severity_number >= 13']",
            signal: "logs")
        let logSink = RecordingConsumer<Logs>()
        try TransformProcessor<Logs>(config: logConfig, next: logSink).consume(
            Logs(resourceLogs: [
                ResourceLogs(scopeLogs: [
                    ScopeLogs(logRecords: [LogRecord(severityNumber: 13), LogRecord(severityNumber: 9)])
                ])
            ]))
        #expect(logSink.received.first?.resourceLogs[0].scopeLogs[0].logRecords.map(\.severityText) == ["WARN", ""])
    }

    @Test func statementsThatCannotRunAreRefusedWithTheirPlace() {
        let yaml = document(
            processors: """
                transform:
                  trace_statements:
                    - context: span
                      statements:
                        - set(attributes["a"])
                        - Concat(attributes, "x")
                        - set(metric.name, "x")
                        - delete_key(attributes, "a") where
                    - context: datapoint
                      statements: ['set(attributes["a"], "b")']
                    - 'set(attributes["a"], "b")'
                """,
            service: "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [transform]\n    exporters: [debug]"
        )
        #expect(
            problems(yaml) == [
                #"processors.transform.trace_statements[0].statements[0]: set takes 2 arguments, got 1: "set(attributes[\"a\"])""#,
                #"processors.transform.trace_statements[0].statements[1]: unsupported editor "Concat" (built here: set, delete_key, delete_matching_keys, keep_keys, replace_pattern, replace_all_patterns, truncate_all, limit): "Concat(attributes, \"x\")""#,
                #"processors.transform.trace_statements[0].statements[2]: unknown path metric.name in the span context: "set(metric.name, \"x\")""#,
                #"processors.transform.trace_statements[0].statements[3]: expected a value, got the end at column 34: "delete_key(attributes, \"a\") where""#,
                #"processors.transform.trace_statements[1].context: expected one of resource, scope, span, spanevent, got "datapoint""#,
                #"processors.transform.trace_statements[2]: cannot tell the context: prefix its paths (resource., scope., span., spanevent.) or use {context, statements}: "set(attributes[\"a\"], \"b\")""#,
            ])
    }
}
