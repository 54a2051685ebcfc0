import SelfTelemetry
import Testing

@Suite struct TelemetryRegistryTests {
    @Test func rendersSortedFamiliesAndSeries() {
        let registry = TelemetryRegistry()
        registry.counter("b_total", help: "B.", labels: ["transport": "http", "receiver": "otlp"]).add(3)
        registry.counter("b_total", help: "B.", labels: ["transport": "grpc", "receiver": "otlp"]).add(2)
        registry.gauge("a_gauge", help: "A \"quoted\".").set(-4)
        registry.register("c_value", kind: .gauge, help: "C.") { 1.5 }
        let expected = """
            # HELP a_gauge A "quoted".
            # TYPE a_gauge gauge
            a_gauge -4
            # HELP b_total B.
            # TYPE b_total counter
            b_total{receiver="otlp",transport="grpc"} 2
            b_total{receiver="otlp",transport="http"} 3
            # HELP c_value C.
            # TYPE c_value gauge
            c_value 1.5

            """
        #expect(registry.render() == expected)
    }

    @Test func sameLabelsReturnTheSameCounterWhateverTheirOrder() {
        let registry = TelemetryRegistry()
        let a = registry.counter("x_total", help: "", labels: ["a": "1", "b": "2"])
        let b = registry.counter("x_total", help: "", labels: ["b": "2", "a": "1"])
        a.add(1)
        b.add(2)
        #expect(a === b)
        #expect(registry.value("x_total", labels: ["a": "1", "b": "2"]) == 3)
        #expect(registry.value("x_total", labels: ["a": "1"]) == nil)
    }

    @Test func labelValuesAreEscaped() {
        let registry = TelemetryRegistry()
        registry.counter("e_total", help: "", labels: ["v": "a\"b\\c\nd"]).add()
        #expect(registry.render().contains(#"e_total{v="a\"b\\c\nd"} 1"#))
    }

    @Test func countersAreSafeUnderConcurrency() async {
        let registry = TelemetryRegistry()
        let counter = registry.counter("n_total", help: "")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { for _ in 0..<10_000 { counter.add() } } }
        }
        #expect(counter.value == 80_000)
    }

    @Test func processMetricsReadThisProcess() {
        let registry = TelemetryRegistry()
        ProcessMetrics.register(in: registry)
        #expect((registry.value("otelcol_process_memory_rss_bytes") ?? 0) > 1_000_000)
        #expect((registry.value("otelcol_process_cpu_seconds_total") ?? -1) >= 0)
    }
}
