import PrometheusTranslation
import Testing

@Suite struct PrometheusLabelTests {
    @Test func sortsByNameThenValue() {
        let labels = [
            PrometheusLabel(name: "b", value: "1"),
            PrometheusLabel(name: "a", value: "2"),
            PrometheusLabel(name: "a", value: "1"),
            PrometheusLabel(name: "B", value: "0"),
        ]
        #expect(labels.sorted().map(\.description) == ["B=\"0\"", "a=\"1\"", "a=\"2\"", "b=\"1\""])
    }

    @Test func comparesBytesNotCanonicalEquivalence() {
        let composed = PrometheusLabel(name: "caf\u{E9}", value: "x")
        let decomposed = PrometheusLabel(name: "cafe\u{301}", value: "x")
        #expect(composed.name == decomposed.name)  // String says equal...
        #expect(composed != decomposed)  // ...Prometheus does not.
        #expect(Set([composed, decomposed]).count == 2)
        #expect(decomposed < composed)  // "e" (0x65) sorts before 0xC3.
    }

    @Test func sortsUTF8InByteOrder() {
        let names = ["请求", "température", "http.method", "Zeta", "_x"]
        let sorted = names.map { PrometheusLabel(name: $0, value: "v") }.sorted().map(\.name)
        #expect(sorted == ["Zeta", "_x", "http.method", "température", "请求"])
    }

    @Test func setLabelInsertsInOrder() {
        var labels = [PrometheusLabel(name: "job", value: "svc"), PrometheusLabel(name: "model", value: "m")]
        labels.setLabel("le", "0.5")
        labels.setLabel("__name__", "ttft_milliseconds_bucket")
        labels.setLabel("zone", "z1")
        #expect(labels.map(\.name) == ["__name__", "job", "le", "model", "zone"])
        #expect(labels.map(\.value) == ["ttft_milliseconds_bucket", "svc", "0.5", "m", "z1"])
    }

    @Test func setLabelReplacesAndRemoves() {
        var labels = [PrometheusLabel(name: "le", value: "attribute"), PrometheusLabel(name: "model", value: "m")]
        labels.setLabel("le", "+Inf")
        #expect(labels == [PrometheusLabel(name: "le", value: "+Inf"), PrometheusLabel(name: "model", value: "m")])
        labels.setLabel("model", "")
        #expect(labels == [PrometheusLabel(name: "le", value: "+Inf")])
        labels.setLabel("absent", "")
        #expect(labels == [PrometheusLabel(name: "le", value: "+Inf")])
    }
}
