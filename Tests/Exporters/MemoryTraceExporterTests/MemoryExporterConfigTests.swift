import ComponentKit
import ConfigTestSupport
import GatewayConfig
import MemoryTraceExporter
import Testing

@Suite struct MemoryExporterConfigTests {
    private func config(_ body: String, environment: [String: String] = [:]) throws -> MemoryExporterConfig? {
        let config = try GatewayConfiguration.parse(
            yaml: document(
                exporters: "memory:\n" + body,
                service: "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [memory]"),
            environment: environment)
        guard let memory = config.exporters[ComponentID(type: "memory")] as? MemoryExporterConfig else { return nil }
        return memory
    }

    @Test func defaults() throws {
        let defaults = MemoryExporterConfig()
        #expect(defaults.endpoint == "127.0.0.1:3200")
        #expect(defaults.maxBytes == 67_108_864)
        #expect(try config("") == defaults)
        #expect(try config("  endpoint:\n  max_bytes:") == defaults)
    }

    @Test func readsEveryKey() throws {
        #expect(
            try config("  endpoint: 0.0.0.0:3201\n  max_bytes: 1_048_576")
                == MemoryExporterConfig(endpoint: "0.0.0.0:3201", maxBytes: 1_048_576))
        #expect(try config("  max_bytes: 1024")?.maxBytes == 1024)
        #expect(
            try config("  endpoint: ${env:TEMPO_LISTEN:-:3200}", environment: [:])?.endpoint == ":3200")
    }

    @Test func reportsProblems() {
        #expect(
            problems(
                document(exporters: "debug:\nmemory:\n  endpoint: localhost\n  max_bytes: 1023\n  retention: 1h")) == [
                    #"exporters.memory.endpoint: expected host:port, got "localhost""#,
                    "exporters.memory.max_bytes: must be at least 1024, got 1023",
                    "exporters.memory.retention: unknown key",
                ])
        #expect(
            problems(document(exporters: "debug:\nmemory/a:\n  max_bytes: 64MiB")) == [
                #"exporters.memory/a.max_bytes: expected an integer, got "64MiB""#
            ])
    }
}
