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
}
