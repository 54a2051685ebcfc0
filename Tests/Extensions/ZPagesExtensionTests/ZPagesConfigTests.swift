import ConfigTestSupport
import Testing

@Suite struct ZPagesConfigTests {
    @Test func collectorShapedConfigIsAccepted() {
        #expect(
            problems(
                document(
                    extensions: "zpages:\n  endpoint: 127.0.0.1:55679\n  expvar:\n    enabled: true",
                    service:
                        "extensions: [zpages]\npipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]"
                )) == [])
    }

    @Test func badValuesAreNamed() {
        let found = problems(
            document(
                extensions: "zpages:\n  sample_interval: 1ms\n  history: 2h\n  auth:\n    authenticator: health_check\n"
                    + "health_check:",
                service: "extensions: [zpages, health_check]\npipelines:\n  traces:\n    receivers: [otlp]\n"
                    + "    exporters: [debug]"))
        #expect(found.contains { $0.contains("extensions.zpages.sample_interval") })
        #expect(found.contains { $0.contains("extensions.zpages.history") })
        #expect(found.contains { $0.contains("extensions.zpages.auth.authenticator") })
    }
}
