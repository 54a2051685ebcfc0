import ComponentKit
import ConfigTestSupport
import DebugExporter
import GatewayConfig
import Testing

@Suite struct DebugExporterConfigTests {
    @Test func verbosity() throws {
        #expect(DebugExporterConfig().verbosity == .basic)
        for (text, verbosity) in [
            ("basic", DebugExporterConfig.Verbosity.basic), ("Normal", .normal), ("DETAILED", .detailed),
        ] {
            let config = try GatewayConfiguration.parse(
                yaml: document(exporters: "debug:\n  verbosity: \(text)"), environment: [:])
            #expect(
                config.exporters[ComponentID(type: "debug")] as? DebugExporterConfig
                    == DebugExporterConfig(verbosity: verbosity))
        }
    }

    @Test func reportsProblems() {
        #expect(
            problems(document(exporters: "debug:\n  verbosity: loud\n  sampling_initial: 2")) == [
                #"exporters.debug.verbosity: expected one of basic, normal, detailed, got "loud""#,
                "exporters.debug.sampling_initial: unknown key",
            ])
    }

    @Test func unknownExporterType() {
        #expect(
            problems(document(exporters: "debug:\nkafka/events:\n  brokers: [kafka:9092]")) == [
                #"exporters.kafka/events: unknown type "kafka""#
            ])
    }
}
