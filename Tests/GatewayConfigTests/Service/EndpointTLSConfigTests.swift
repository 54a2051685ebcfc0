import ComponentKit
import ConfigTestSupport
import GatewayConfig
import MemoryTraceExporter
import Testing

/// `tls` on the gateway's own HTTP endpoints: the memory exporter's query API and self-telemetry.
@Suite struct OwnEndpointTLSConfigTests {
    @Test func memoryExporterAndSelfTelemetryTakeServerTLS() throws {
        let yaml = document(
            exporters: "memory:\n  tls: {cert_file: /c.pem, key_file: /k.pem, client_ca_file: /ca.pem}",
            service: """
                telemetry:
                  metrics:
                    address: 127.0.0.1:8888
                    tls: {cert_file: /c2.pem, key_file: /k2.pem, min_version: "1.3"}
                pipelines:
                  traces:
                    receivers: [otlp]
                    exporters: [memory]
                """)
        let config = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        guard let memory = config.exporters[ComponentID(type: "memory")] as? MemoryExporterConfig else {
            Issue.record("no memory exporter")
            return
        }
        #expect(
            memory.tls?.certFile == "/c.pem" && memory.tls?.keyFile == "/k.pem" && memory.tls?.clientCAFile == "/ca.pem"
        )
        let telemetry = try #require(config.service.telemetry.metricsTLS)
        #expect(telemetry.certFile == "/c2.pem" && telemetry.minVersion == .tls13)
        #expect(GatewayConfiguration.defaultTelemetryHasNoTLS)
    }

    @Test func aTLSSectionWithoutItsKeyIsAProblem() {
        let problems = problems(
            document(
                exporters: "memory:\n  tls: {cert_file: /c.pem}",
                service: "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [memory]"))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("exporters.memory.tls.key_file:") == true)
    }
}

extension GatewayConfiguration {
    static var defaultTelemetryHasNoTLS: Bool { TelemetryConfig().metricsTLS == nil }
}
