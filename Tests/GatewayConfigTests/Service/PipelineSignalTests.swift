import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import SpanMetricsConnector
import Testing

/// Which signals each exporter and connector takes, checked where pipelines use them.
@Suite struct PipelineSignalTests {
    private static let exporters = """
        debug:
        memory:
        prometheus:
        prometheusremotewrite/mimir:
          endpoint: http://mimir:9009/api/v1/push
        otlphttp/loki:
          logs_endpoint: http://loki:3100/otlp/v1/logs
        otlphttp/all:
          endpoint: http://gateway:4318
        otlp:
          endpoint: http://tempo:4317
        """

    private func pipelines(_ body: String, connectors: String? = nil) -> [String] {
        problems(document(exporters: Self.exporters, connectors: connectors, service: "pipelines:\n" + body))
    }

    @Test func exportersInTheirSignalsPipelines() {
        #expect(
            pipelines(
                """
                  traces:
                    receivers: [otlp]
                    exporters: [memory, otlp, otlphttp/all, debug]
                  metrics:
                    receivers: [otlp]
                    exporters: [prometheus, prometheusremotewrite/mimir, otlp, otlphttp/all]
                  logs:
                    receivers: [otlp]
                    exporters: [otlphttp/loki, otlphttp/all, otlp]
                """) == [])
    }

    @Test func exportersInOtherSignalsPipelines() {
        #expect(
            pipelines(
                """
                  traces:
                    receivers: [otlp]
                    exporters: [prometheus, debug, otlphttp/loki]
                  metrics:
                    receivers: [otlp]
                    exporters: [memory, prometheusremotewrite/mimir]
                  logs/a:
                    receivers: [otlp]
                    exporters: [memory, prometheusremotewrite/mimir]
                """) == [
                    #"service.pipelines.traces.exporters: "prometheus" supports metrics only"#,
                    #"service.pipelines.traces.exporters: "otlphttp/loki" has no URL for traces; set endpoint or traces_endpoint"#,
                    #"service.pipelines.metrics.exporters: "memory" supports traces only"#,
                    #"service.pipelines.logs/a.exporters: "memory" supports traces only"#,
                    #"service.pipelines.logs/a.exporters: "prometheusremotewrite/mimir" supports metrics only"#,
                ])
    }

    @Test func anExporterWithABadConfigIsStillCheckedOnce() {
        #expect(
            problems(
                document(
                    exporters: "debug:\nmemory:\n  max_bytes: 1\notlphttp:\n  timeout: 0s",
                    service:
                        "pipelines:\n  metrics:\n    receivers: [otlp]\n    exporters: [debug, memory, otlphttp]")) == [
                    "exporters.memory.max_bytes: must be at least 1024, got 1",
                    "exporters.otlphttp.endpoint: required: the base URL of the OTLP/HTTP receiver, e.g. http://tempo:4318 (or traces_endpoint, metrics_endpoint, logs_endpoint)",
                    "exporters.otlphttp.timeout: must be greater than 0",
                    #"service.pipelines.metrics.exporters: "memory" supports traces only"#,
                ])
    }

    @Test func connectorLinksTracesToMetrics() throws {
        let yaml = document(
            exporters: "debug:\nprometheus:",
            connectors: "spanmetrics:",
            service: """
                pipelines:
                  traces:
                    receivers: [otlp]
                    exporters: [spanmetrics, debug]
                  metrics/red:
                    receivers: [spanmetrics]
                    exporters: [prometheus]
                  metrics:
                    receivers: [otlp, spanmetrics]
                    exporters: [prometheus]
                """)
        let config = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        let spanMetrics = ComponentID(type: "spanmetrics")
        #expect(equal(config.connectors, [spanMetrics: SpanMetricsConnectorConfig()]))
        #expect(
            config.service.pipelines[PipelineID(signal: .traces)]?.exporters == [
                spanMetrics, ComponentID(type: "debug"),
            ])
        #expect(config.service.pipelines[PipelineID(signal: .metrics, name: "red")]?.receivers == [spanMetrics])
    }

    @Test func connectorWithoutTheOtherSide() {
        #expect(
            pipelines(
                "  traces:\n    receivers: [otlp]\n    exporters: [spanmetrics]",
                connectors: "spanmetrics:\nspanmetrics/b:")
                == [
                    "connectors.spanmetrics: used as exporter in service.pipelines.traces but no metrics pipeline receives from it"
                ])
        #expect(
            pipelines(
                "  metrics/red:\n    receivers: [spanmetrics/b]\n    exporters: [prometheus]",
                connectors: "spanmetrics:\nspanmetrics/b:")
                == [
                    "connectors.spanmetrics/b: used as receiver in service.pipelines.metrics/red but no traces pipeline exports to it"
                ])
    }

    @Test func connectorInTheWrongPipelines() {
        #expect(
            pipelines(
                """
                  logs:
                    receivers: [otlp]
                    exporters: [spanmetrics]
                  traces:
                    receivers: [otlp, spanmetrics]
                    exporters: [spanmetrics]
                  metrics:
                    receivers: [spanmetrics]
                    exporters: [spanmetrics, prometheus]
                """, connectors: "spanmetrics:") == [
                    "connectors.spanmetrics: cannot be an exporter of service.pipelines.logs: spanmetrics connects traces pipelines to metrics pipelines",
                    "connectors.spanmetrics: cannot be an exporter of service.pipelines.metrics: spanmetrics connects traces pipelines to metrics pipelines",
                    "connectors.spanmetrics: cannot be a receiver of service.pipelines.traces: spanmetrics connects traces pipelines to metrics pipelines",
                ])
        #expect(
            pipelines(
                "  logs:\n    receivers: [spanmetrics]\n    exporters: [debug]\n  metrics:\n    receivers: [otlp]\n    exporters: [spanmetrics]",
                connectors: "spanmetrics:") == [
                    "connectors.spanmetrics: cannot be an exporter of service.pipelines.metrics: spanmetrics connects traces pipelines to metrics pipelines",
                    "connectors.spanmetrics: cannot be a receiver of service.pipelines.logs: spanmetrics connects traces pipelines to metrics pipelines",
                ])
    }

    @Test func unusedConnectorIsFine() {
        #expect(pipelines("  traces:\n    receivers: [otlp]\n    exporters: [debug]", connectors: "spanmetrics:") == [])
    }

    @Test func connectorProblemsComeInSectionOrder() {
        #expect(
            problems(
                document(
                    exporters: "debug:\n  verbosity: loud",
                    connectors: "spanmetrics:\n  max_series: 0",
                    extensions: "health_check:\n  path: x",
                    service:
                        "extensions: [health_check]\npipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [spanmetrics]\n    bogus: 1"
                )) == [
                    #"exporters.debug.verbosity: expected one of basic, normal, detailed, got "loud""#,
                    "connectors.spanmetrics.max_series: must be at least 1, got 0",
                    "connectors.spanmetrics: used as exporter in service.pipelines.traces but no metrics pipeline receives from it",
                    #"extensions.health_check.path: expected a URL path starting with /, got "x""#,
                    "service.pipelines.traces.bogus: unknown key",
                ])
    }

    @Test func connectorIDsMustNotBeAmbiguous() {
        #expect(
            problems(
                document(
                    exporters: "debug:",
                    connectors: "debug:\notlp:\nspanmetrics:",
                    service: "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]")) == [
                    #"connectors.debug: unknown type "debug""#,
                    #"connectors.otlp: unknown type "otlp""#,
                ])
        #expect(
            problems(
                document(
                    receivers: "otlp:\n  protocols:\n    grpc:\nspanmetrics:",
                    exporters: "debug:\nspanmetrics:",
                    connectors: "spanmetrics:",
                    service: "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]")) == [
                    #"receivers.spanmetrics: unknown type "spanmetrics""#,
                    #"exporters.spanmetrics: unknown type "spanmetrics""#,
                    #"connectors.spanmetrics: ambiguous ID: "spanmetrics" is also defined in receivers; rename one of them"#,
                    #"connectors.spanmetrics: ambiguous ID: "spanmetrics" is also defined in exporters; rename one of them"#,
                ])
    }

    @Test func malformedReferencesAreReportedOnlyInThePipeline() {
        #expect(
            pipelines(
                "  traces:\n    receivers: [otlp]\n    exporters: [spanmetrics/]\n  metrics:\n    receivers: [spanmetrics]\n    exporters: [debug]",
                connectors: "spanmetrics:") == [
                    "connectors.spanmetrics: used as receiver in service.pipelines.metrics but no traces pipeline exports to it",
                    #"service.pipelines.traces.exporters: invalid component ID "spanmetrics/": the name after "/" must not be empty"#,
                ])
    }
}
