import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import Testing

@Suite struct ServiceConfigTests {
    private func pipelines(_ body: String, extra: String = "") -> [String] {
        problems(document(service: "pipelines:\n" + body + extra))
    }

    @Test func undefinedReferences() {
        #expect(
            pipelines(
                """
                  traces:
                    receivers: [otlp, otlp/missing]
                    processors: [batch]
                    exporters: [debug, debug/missing]
                """) == [
                    #"service.pipelines.traces.receivers: "otlp/missing" is not defined in receivers"#,
                    #"service.pipelines.traces.processors: "batch" is not defined in processors"#,
                    #"service.pipelines.traces.exporters: "debug/missing" is not defined in exporters"#,
                ])
    }

    @Test func referencesMustBeOfTheRightKind() {
        #expect(
            pipelines("  traces:\n    receivers: [debug]\n    exporters: [otlp]") == [
                #"service.pipelines.traces.receivers: "debug" is not defined in receivers"#,
                #"service.pipelines.traces.exporters: "otlp" is not defined in exporters"#,
            ])
    }

    @Test func receiversAndExportersAreRequiredProcessorsAreNot() {
        #expect(
            pipelines("  traces:\n    receivers: []\n    exporters: []") == [
                "service.pipelines.traces: must have at least one receiver",
                "service.pipelines.traces: must have at least one exporter",
            ])
        #expect(
            pipelines("  logs:") == [
                "service.pipelines.logs: must have at least one receiver",
                "service.pipelines.logs: must have at least one exporter",
            ])
        #expect(pipelines("  traces:\n    receivers: [otlp]\n    processors: []\n    exporters: [debug]") == [])
        #expect(pipelines("  traces:\n    receivers: [otlp]\n    processors:\n    exporters: [debug]") == [])
    }

    @Test func pipelineIDs() {
        #expect(
            pipelines("  foo:\n    receivers: [otlp]\n  traces/:\n  metrics/a b:") == [
                #"service.pipelines.foo: unknown signal "foo" (expected traces, metrics or logs)"#,
                #"service.pipelines.traces/: invalid pipeline ID "traces/": the name after "/" must not be empty"#,
                #"service.pipelines.metrics/a b: invalid pipeline ID "metrics/a b": the name must not contain spaces or control characters"#,
            ])
    }

    @Test func listShapes() {
        #expect(
            pipelines("  traces:\n    receivers: otlp\n    exporters: [debug, {a: 1}, otlp/]\n    bogus: 1") == [
                #"service.pipelines.traces.receivers: expected a list, got "otlp""#,
                "service.pipelines.traces.exporters[1]: expected a string, got a mapping",
                #"service.pipelines.traces.exporters: invalid component ID "otlp/": the name after "/" must not be empty"#,
                "service.pipelines.traces.bogus: unknown key",
            ])
    }

    @Test func duplicatesInALine() {
        #expect(
            problems(
                document(
                    processors: "batch:",
                    service:
                        "pipelines:\n  traces:\n    receivers: [otlp, otlp]\n    processors: [batch, batch]\n    exporters: [debug]"
                )) == [
                    #"service.pipelines.traces.receivers: "otlp" is listed more than once"#,
                    #"service.pipelines.traces.processors: "batch" is listed more than once"#,
                ])
    }

    @Test func extensionsMustBeDefined() {
        let service = "extensions: [health_check]\npipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]"
        #expect(
            problems(document(service: service)) == [
                #"service.extensions: "health_check" is not defined in extensions"#
            ])
        #expect(problems(document(extensions: "health_check:", service: service)) == [])
    }

    @Test func definedButUnusedIsFine() {
        #expect(problems(document(processors: "batch:", extensions: "health_check:")) == [])
    }

    @Test func aComponentWithABadConfigIsNotAlsoUndefined() {
        #expect(
            problems(
                document(
                    exporters: "debug:\n  verbosity: loud\notlp/tempo:",
                    service: "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug, otlp/tempo]"))
                == [
                    #"exporters.debug.verbosity: expected one of basic, normal, detailed, got "loud""#,
                    "exporters.otlp/tempo.endpoint: required: host:port of the OTLP/gRPC receiver, e.g. tempo:4317",
                ])
    }

    @Test func unknownConnectorType() {
        #expect(
            problems(
                document(
                    connectors: "servicegraph:\n  store: {}",
                    service: """
                        pipelines:
                          traces:
                            receivers: [otlp]
                            exporters: [servicegraph]
                          metrics:
                            receivers: [servicegraph]
                            exporters: [debug]
                        """
                )) == [#"connectors.servicegraph: unknown type "servicegraph""#])
        #expect(problems(document(connectors: "{}")) == [])
    }

    @Test func unknownServiceKey() {
        #expect(
            problems(
                document(service: "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]\nflags: 1"))
                == ["service.flags: unknown key"])
    }

    @Test func namedPipelines() throws {
        let config = try GatewayConfiguration.parse(
            yaml: document(
                service:
                    "pipelines:\n  traces/a:\n    receivers: [otlp]\n    exporters: [debug]\n  traces/b:\n    receivers: [otlp]\n    exporters: [debug]"
            ),
            environment: [:])
        #expect(
            Set(config.service.pipelines.keys) == [
                PipelineID(signal: .traces, name: "a"), PipelineID(signal: .traces, name: "b"),
            ])
    }
}
