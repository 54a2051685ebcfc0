import BatchProcessor
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import HealthCheckExtension
import Testing

/// Expansion is observed through the health check's `path` (a free string) and `endpoint`.
@Suite struct EnvironmentExpanderTests {
    private func healthCheck(_ body: String, _ environment: [String: String]) throws -> HealthCheckConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(extensions: "health_check:\n" + body), environment: environment)
        guard let healthCheck = config.extensions[ComponentID(type: "health_check")] as? HealthCheckConfig else {
            Issue.record("no health_check extension")
            return HealthCheckConfig()
        }
        return healthCheck
    }

    private func path(_ text: String, _ environment: [String: String] = [:]) throws -> String {
        try healthCheck("  path: \"\(text)\"", environment).path
    }

    @Test func expandsVariables() throws {
        #expect(try path("/${env:A}", ["A": "x"]) == "/x")
        #expect(try path("/${env:A}/${env:B_2}/end", ["A": "x", "B_2": "y"]) == "/x/y/end")
        #expect(try path("/${A}", ["A": "short"]) == "/short")
    }

    @Test func defaultAppliesOnlyWhenUnset() throws {
        #expect(try path("/${env:A:-fallback}") == "/fallback")
        #expect(try path("/${env:A:-fallback}", ["A": "set"]) == "/set")
        #expect(try path("/${env:A:-fallback}", ["A": ""]) == "/")
        #expect(try path("/${env:A:-}") == "/")
        #expect(try path("/${A:-short}") == "/short")
        #expect(try path("/${env:A:-a:-b}") == "/a:-b")
    }

    @Test func unsetWithoutDefaultIsEmpty() throws {
        #expect(try path("/x${env:MISSING}y") == "/xy")
    }

    @Test func dollarEscapes() throws {
        #expect(try path("/a$$b") == "/a$b")
        #expect(try path("/$${env:A}", ["A": "x"]) == "/${env:A}")
        #expect(try path("/$$$${env:A}", ["A": "x"]) == "/$${env:A}")
        #expect(try path("/$$${env:A}", ["A": "x"]) == "/$x")
        #expect(try path("/cost$5") == "/cost$5")
        #expect(try path("/end$") == "/end$")
    }

    @Test func expandsBeforeTypeConversion() throws {
        let config = try GatewayConfiguration.parse(
            yaml: document(processors: "batch:\n  send_batch_size: ${env:SIZE}\n  timeout: ${env:T:-2s}"),
            environment: ["SIZE": "42"])
        #expect(
            config.processors[ComponentID(type: "batch")]
                as? BatchProcessorConfig == BatchProcessorConfig(sendBatchSize: 42, timeout: .seconds(2)))
        #expect(try healthCheck("  endpoint: ${env:HOST}:${env:PORT:-1}", ["HOST": "0.0.0.0"]).endpoint == "0.0.0.0:1")
    }

    @Test func expandedTextCannotInjectStructure() {
        #expect(
            problems(document(exporters: "debug:\n  verbosity: ${env:V}"), environment: ["V": "basic\nbogus: 1"]) == [
                #"exporters.debug.verbosity: expected one of basic, normal, detailed, got "basic\nbogus: 1""#
            ])
        #expect(
            problems(document(exporters: "debug:\n  verbosity: ${env:V}"), environment: ["V": "{a: b}"]) == [
                #"exporters.debug.verbosity: expected one of basic, normal, detailed, got "{a: b}""#
            ])
    }

    @Test func expandedValueIsNotExpandedAgain() throws {
        #expect(try path("/${env:A}", ["A": "${env:B}", "B": "x"]) == "/${env:B}")
    }

    @Test func keysAreNotExpanded() {
        #expect(
            problems(document(exporters: "debug:\n  ${env:K}: basic"), environment: ["K": "verbosity"]) == [
                "exporters.debug.${env:K}: unknown key"
            ])
    }

    @Test func refusesWhatItCannotExpand() {
        #expect(
            problems(
                document(
                    extensions:
                        "health_check:\n  path: /${file:/etc/x}\n  endpoint: ${env:1BAD}\nhealth_check/2:\n  path: /${env:X"
                )
            ) == [
                #"extensions.health_check.path: unsupported config provider "file" in "/${file:/etc/x}" (only env is supported)"#,
                #"extensions.health_check.endpoint: invalid environment variable name "1BAD" in "${env:1BAD}""#,
                #"extensions.health_check/2.path: unterminated "${" in "/${env:X" (write $$ for a literal $)"#,
            ])
    }
}
