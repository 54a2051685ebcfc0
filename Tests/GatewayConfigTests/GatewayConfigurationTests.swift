import BatchProcessor
import ComponentKit
import ConfigTestSupport
import DebugExporter
import Foundation
import GatewayConfig
import GatewayCore
import HealthCheckExtension
import OTLPReceiver
import Testing

@Suite struct GatewayConfigurationTests {
    @Test func minimalDocumentGetsDefaults() throws {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
                  http:
            processors:
              batch:
            exporters:
              debug:
            extensions:
              health_check:
            service:
              extensions: [health_check]
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [batch]
                  exporters: [debug]
            """
        let config = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        let otlp = ComponentID(type: "otlp")
        let batch = ComponentID(type: "batch")
        let debug = ComponentID(type: "debug")
        let healthCheck = ComponentID(type: "health_check")

        #expect(
            equal(config.receivers, [otlp: OTLPReceiverConfig(grpc: GRPCServerConfig(), http: HTTPServerConfig())]))
        #expect(equal(config.processors, [batch: BatchProcessorConfig()]))
        #expect(equal(config.exporters, [debug: DebugExporterConfig()]))
        #expect(config.connectors.isEmpty)
        #expect(equal(config.extensions, [healthCheck: HealthCheckConfig()]))
        #expect(config.service.extensions == [healthCheck])
        #expect(
            config.service.pipelines == [
                PipelineID(signal: .traces): PipelineConfig(receivers: [otlp], processors: [batch], exporters: [debug])
            ])
        #expect(config.service.telemetry == TelemetryConfig())
    }

    @Test func fullDocumentWithEveryKey() throws {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: 0.0.0.0:14317
                    max_recv_msg_size_mib: 16
                    max_concurrent_streams: 50
                    read_buffer_size: 1024
                  http:
                    endpoint: "[::1]:14318"
                    max_request_body_size: 1_048_576
                    traces_url_path: /t
                    metrics_url_path: m
                    logs_url_path: /l
              otlp/second:
                protocols:
                  http:
            processors:
              batch:
                send_batch_size: 100
                send_batch_max_size: 200
                timeout: 1m30s
                max_pending_items: 5000
              batch/fast:
                timeout: 0
            exporters:
              debug:
                verbosity: Detailed
              debug/quiet:
                verbosity: basic
            connectors: {}
            extensions:
              health_check:
                endpoint: :13134
                path: /health
            service:
              extensions: [health_check]
              telemetry:
                metrics:
                  level: detailed
                  address: 127.0.0.1:9999
                logs:
                  level: WARN
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [batch]
                  exporters: [debug]
                metrics/fast:
                  receivers: [otlp, otlp/second]
                  processors: [batch/fast]
                  exporters: [debug, debug/quiet]
                logs:
                  receivers:
                    - otlp/second
                  exporters:
                    - debug/quiet
            """
        let config = try GatewayConfiguration.parse(yaml: yaml, environment: [:])

        #expect(
            equal(
                config.receivers,
                [
                    ComponentID(type: "otlp"): OTLPReceiverConfig(
                        grpc: GRPCServerConfig(
                            endpoint: "0.0.0.0:14317", maxRecvMsgSizeMiB: 16, maxConcurrentStreams: 50,
                            readBufferSize: 1024),
                        http: HTTPServerConfig(
                            endpoint: "[::1]:14318", maxRequestBodySize: 1_048_576, tracesURLPath: "/t",
                            metricsURLPath: "/m", logsURLPath: "/l")
                    ),
                    ComponentID(type: "otlp", name: "second"): OTLPReceiverConfig(http: HTTPServerConfig()),
                ]))
        #expect(
            equal(
                config.processors,
                [
                    ComponentID(type: "batch"): BatchProcessorConfig(
                        sendBatchSize: 100, sendBatchMaxSize: 200, timeout: .seconds(90), maxPendingItems: 5000),
                    ComponentID(type: "batch", name: "fast"): BatchProcessorConfig(timeout: .zero),
                ]))
        #expect(
            equal(
                config.exporters,
                [
                    ComponentID(type: "debug"): DebugExporterConfig(verbosity: .detailed),
                    ComponentID(type: "debug", name: "quiet"): DebugExporterConfig(verbosity: .basic),
                ]))
        #expect(config.connectors.isEmpty)
        #expect(
            equal(
                config.extensions,
                [
                    ComponentID(type: "health_check"): HealthCheckConfig(endpoint: ":13134", path: "/health")
                ]))
        #expect(config.service.extensions == [ComponentID(type: "health_check")])
        #expect(
            config.service.telemetry
                == TelemetryConfig(metricsLevel: .detailed, metricsAddress: "127.0.0.1:9999", logsLevel: "warn"))
        #expect(
            config.service.pipelines == [
                PipelineID(signal: .traces): PipelineConfig(
                    receivers: [ComponentID(type: "otlp")],
                    processors: [ComponentID(type: "batch")],
                    exporters: [ComponentID(type: "debug")]
                ),
                PipelineID(signal: .metrics, name: "fast"): PipelineConfig(
                    receivers: [ComponentID(type: "otlp"), ComponentID(type: "otlp", name: "second")],
                    processors: [ComponentID(type: "batch", name: "fast")],
                    exporters: [ComponentID(type: "debug"), ComponentID(type: "debug", name: "quiet")]
                ),
                PipelineID(signal: .logs): PipelineConfig(
                    receivers: [ComponentID(type: "otlp", name: "second")],
                    processors: [],
                    exporters: [ComponentID(type: "debug", name: "quiet")]
                ),
            ])
    }

    @Test func unknownTopLevelKey() {
        #expect(problems(document() + "bogus: 1\n") == ["bogus: unknown key"])
    }

    @Test func missingPipelinesIsAnError() {
        let expected = ["service.pipelines: must define at least one pipeline"]
        #expect(problems(document(service: nil)) == expected)
        #expect(problems(document(service: "")) == expected)
        #expect(problems(document(service: "pipelines: {}")) == expected)
        #expect(problems("") == expected)
    }

    @Test func rootMustBeAMapping() {
        #expect(
            problems("- a\n- b\n") == [
                "(root): expected a mapping, got a list",
                "service.pipelines: must define at least one pipeline",
            ])
    }

    @Test func sectionMustBeAMapping() {
        #expect(
            problems(document(processors: "- batch")) == [
                "processors: expected a mapping, got a list"
            ])
    }

    @Test func yamlSyntaxErrorIsOneLine() {
        #expect(
            problems("receivers:\n  otlp: [a\n") == [
                "yaml: line 3, column 1: did not find expected ',' or ']'"
            ])
    }

    @Test func duplicateKeysAreRefused() {
        #expect(
            problems("exporters:\n  debug:\n  debug:\n") == [
                "yaml: line 2, column 3: duplicate key \"debug\""
            ])
    }

    @Test func reportsEveryProblemAtOnce() {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: nonsense
                    max_recv_msg_size_mib: abc
                  http:
                    bogus_key: 1
              otlp/:
            processors:
              batch:
                timeout: fast
            exporters:
              otlp/tempo:
                endpoint: tempo:4317
            service:
              extensions: [health_check]
              pipelines:
                traces:
                  receivers: []
                  processors: [batch]
                  exporters: [otlp/tempo, debug/missing]
                foo:
                  receivers: [otlp]
            surprise: true
            """
        #expect(
            problems(yaml) == [
                "receivers.otlp.protocols.grpc.endpoint: expected host:port, got \"nonsense\"",
                "receivers.otlp.protocols.grpc.max_recv_msg_size_mib: expected an integer, got \"abc\"",
                "receivers.otlp.protocols.http.bogus_key: unknown key",
                "receivers.otlp/: invalid component ID \"otlp/\": the name after \"/\" must not be empty",
                "processors.batch.timeout: expected a duration like 200ms or 5s, got \"fast\"",
                "service.extensions: \"health_check\" is not defined in extensions",
                "service.pipelines.traces.exporters: \"debug/missing\" is not defined in exporters",
                "service.pipelines.traces: must have at least one receiver",
                "service.pipelines.foo: unknown signal \"foo\" (expected traces, metrics or logs)",
                "surprise: unknown key",
            ])
    }

    @Test func errorDescriptionJoinsProblemsWithNewlines() {
        let error = ConfigError(problems: ["a: one", "b: two"])
        #expect(error.description == "a: one\nb: two")
    }

    @Test func loadsAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-config-\(UUID()).yaml")
        try document(exporters: "debug:\n  verbosity: ${env:VERBOSITY}").write(
            to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }

        let config = try GatewayConfiguration.load(path: url.path, environment: ["VERBOSITY": "normal"])
        #expect(equal(config.exporters, [ComponentID(type: "debug"): DebugExporterConfig(verbosity: .normal)]))
    }

    @Test func missingFileIsAConfigError() {
        #expect {
            _ = try GatewayConfiguration.load(path: "/nonexistent/collector.yaml", environment: [:])
        } throws: { error in
            guard let error = error as? ConfigError, error.problems.count == 1 else { return false }
            return error.problems[0].hasPrefix("/nonexistent/collector.yaml: cannot read the file: ")
        }
    }
}
