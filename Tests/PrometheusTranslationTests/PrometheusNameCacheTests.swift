import PrometheusTranslation
import Testing

@Suite struct PrometheusNameCacheTests {
    @Test func remembersTranslatedNames() {
        let namer = PrometheusNamer()
        #expect(namer.metricName("a.b", unit: "s", type: .gauge) == "a_b_seconds")
        #expect(namer.metricName("a.b", unit: "s", type: .gauge) == "a_b_seconds")
        #expect(namer.labelName("http.method") == "http_method")
        #expect(namer.labelName("http.method") == "http_method")
        #expect(namer.cache.count == (metricNames: 1, labelNames: 1))
    }

    @Test func keysIncludeUnitAndType() {
        let namer = PrometheusNamer()
        #expect(namer.metricName("x", unit: "1", type: .gauge) == "x_ratio")
        #expect(namer.metricName("x", unit: "1", type: .counter) == "x_total")
        #expect(namer.metricName("x", unit: "1", type: .histogram) == "x")
        #expect(namer.metricName("x", unit: "s", type: .histogram) == "x_seconds")
        #expect(namer.cache.count.metricNames == 4)
    }

    @Test func keysCompareBytes() {
        let namer = PrometheusNamer()
        #expect(namer.labelName("caf\u{E9}") == "caf_")
        #expect(namer.labelName("cafe\u{301}") == "cafe_")
        #expect(namer.cache.count.labelNames == 2)
    }

    @Test func validLabelNamesBypassTheCache() {
        let namer = PrometheusNamer()
        #expect(namer.labelName("model") == "model")
        #expect(namer.labelName("__meta_x") == "__meta_x")
        #expect(namer.cache.count.labelNames == 0)
    }

    @Test func copiesShareTheCache() {
        let namer = PrometheusNamer()
        let copy = namer
        _ = copy.metricName("requests", unit: "", type: .counter)
        #expect(namer.cache.count.metricNames == 1)
    }

    @Test func stopsCachingAtCapacity() {
        let namer = PrometheusNamer(cache: PrometheusNameCache(capacity: 2))
        #expect(namer.metricName("a.x", unit: "", type: .gauge) == "a_x")
        #expect(namer.metricName("b.x", unit: "", type: .gauge) == "b_x")
        #expect(namer.metricName("c.x", unit: "", type: .gauge) == "c_x")
        #expect(namer.metricName("c.x", unit: "", type: .gauge) == "c_x")
        #expect(namer.cache.count.metricNames == 2)
    }

    @Test func zeroCapacityDisablesCaching() {
        let namer = PrometheusNamer(cache: PrometheusNameCache(capacity: 0))
        #expect(namer.metricName("a.x", unit: "", type: .counter) == "a_x_total")
        #expect(namer.labelName("a.x") == "a_x")
        #expect(namer.cache.count == (metricNames: 0, labelNames: 0))
        #expect(PrometheusNameCache().capacity == PrometheusNameCache.defaultCapacity)
    }

    @Test func isSafeToShareAcrossTasks() async {
        let namer = PrometheusNamer()
        let results = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<200).map { i in
                        namer.metricName("m.\(i % 50)", unit: "ms", type: .histogram) + "|"
                            + namer.labelName("k.\(i % 50)")
                    }
                }
            }
            var all: [[String]] = []
            for await result in group { all.append(result) }
            return all
        }
        let expected = (0..<200).map { i in "m_\(i % 50)_milliseconds|k_\(i % 50)" }
        #expect(results.count == 8)
        for result in results { #expect(result == expected) }
        #expect(namer.cache.count == (metricNames: 50, labelNames: 50))
    }
}
