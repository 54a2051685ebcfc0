import ComponentKit
import ConfigTestSupport
import GatewayConfig
import HealthCheckExtension
import Testing

@Suite struct HealthCheckConfigTests {
    @Test func defaultsAndValues() throws {
        #expect(HealthCheckConfig().endpoint == "127.0.0.1:13133")
        #expect(HealthCheckConfig().path == "/")
        let config = try GatewayConfiguration.parse(
            yaml: document(extensions: "health_check/live:\n  endpoint: \"[::]:13133\"\n  path: /live"),
            environment: [:])
        #expect(config.extensions.count == 1)
        #expect(
            config.extensions[ComponentID(type: "health_check", name: "live")] as? HealthCheckConfig
                == HealthCheckConfig(endpoint: "[::]:13133", path: "/live"))
    }

    @Test func reportsProblems() {
        #expect(
            problems(
                document(extensions: "health_check:\n  endpoint: 13133\n  path: health\n  check_collector_pipeline: {}")
            ) == [
                #"extensions.health_check.endpoint: expected host:port, got "13133""#,
                #"extensions.health_check.path: expected a URL path starting with /, got "health""#,
                "extensions.health_check.check_collector_pipeline: unknown key",
            ])
    }

    @Test func unknownExtensionType() {
        #expect(
            problems(document(extensions: "memory_limiter:\nremotetap:")) == [
                #"extensions.memory_limiter: unknown type "memory_limiter""#,
                #"extensions.remotetap: unknown type "remotetap""#,
            ])
    }
}
