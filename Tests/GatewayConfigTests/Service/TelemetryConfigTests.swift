import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct TelemetryConfigTests {
    private let pipelines = "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]\n"

    private func telemetry(_ body: String) throws -> TelemetryConfig {
        try GatewayConfiguration.parse(yaml: document(service: pipelines + "telemetry:\n" + body), environment: [:])
            .service.telemetry
    }

    @Test func defaults() throws {
        let telemetry = TelemetryConfig()
        #expect(telemetry.metricsLevel == .normal)
        #expect(telemetry.metricsAddress == "127.0.0.1:8888")
        #expect(telemetry.logsLevel == "info")
        #expect(telemetry.metricsEnabled)
        #expect(try self.telemetry("  metrics:\n  logs:") == telemetry)
    }

    @Test func levelNoneDisablesMetrics() throws {
        let telemetry = try telemetry("  metrics:\n    level: none")
        #expect(telemetry.metricsLevel == .none)
        #expect(!telemetry.metricsEnabled)
        #expect(try self.telemetry("  metrics:\n    level: basic").metricsEnabled)
    }

    @Test func reads() throws {
        #expect(
            try telemetry("  metrics:\n    address: :9090\n    level: Basic\n  logs:\n    level: debug")
                == TelemetryConfig(metricsLevel: .basic, metricsAddress: ":9090", logsLevel: "debug"))
    }

    @Test func reportsProblems() {
        let yaml = document(
            service: pipelines
                + "telemetry:\n  metrics:\n    level: loud\n    address: 8888\n    readers: []\n  logs:\n    level: verbose\n  traces: {}"
        )
        #expect(
            problems(yaml) == [
                #"service.telemetry.metrics.level: expected one of none, basic, normal, detailed, got "loud""#,
                #"service.telemetry.metrics.address: expected host:port, got "8888""#,
                "service.telemetry.metrics.readers: unknown key",
                #"service.telemetry.logs.level: expected one of debug, info, warn, error, got "verbose""#,
                "service.telemetry.traces: unknown key",
            ])
    }

    @Test func logEncodingAndOutputs() throws {
        #expect(try telemetry("  logs:\n    encoding: json").logsEncoding == .json)
        #expect(try telemetry("  logs:\n    level: info").logsEncoding == .console)
        #expect(
            try telemetry("  logs:\n    encoding: console\n    output_paths: [stderr]\n    sampling: {enabled: false}")
                .logsEncoding == .console)
        let yaml = document(
            service: pipelines + "telemetry:\n  logs:\n    encoding: xml\n    output_paths: [/var/log/gw.log]")
        #expect(
            problems(yaml) == [
                #"service.telemetry.logs.encoding: expected one of console, json, got "xml""#,
                #"service.telemetry.logs.output_paths: only stderr is supported here (logs go to the container's stderr), got "/var/log/gw.log""#,
            ])
    }
}
