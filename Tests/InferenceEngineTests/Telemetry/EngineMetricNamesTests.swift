import InferenceEngine
import Testing

@Suite struct EngineMetricNamesTests {
    /// transformers' ten metrics, exactly: name, kind, unit and buckets.
    @Test func referenceMetricsAreExact() throws {
        let expected: [(String, EngineMetricDescriptor.Kind, String, [Double])] = [
            (
                "ttft_milliseconds", .histogram, "ms",
                [10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000]
            ),
            ("active_requests_count", .gauge, "requests", []),
            ("waiting_requests_count", .gauge, "requests", []),
            (
                "request_latency_milliseconds", .histogram, "ms",
                [50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000]
            ),
            ("decode_prefill_ratio", .gauge, "ratio", []),
            ("prefill_tokens_processed", .counter, "tokens", []),
            ("decode_tokens_processed", .counter, "tokens", []),
            ("batch_fill_percentage", .histogram, "percent", [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 100]),
            ("kv_cache_free_memory_bytes", .gauge, "bytes", []),
            ("kv_cache_memory_bytes", .gauge, "bytes", []),
        ]
        #expect(EngineMetricNames.all.prefix(10).map(\.name) == expected.map(\.0))
        for (name, kind, unit, buckets) in expected {
            let descriptor = try #require(EngineMetricNames.descriptor(named: name))
            #expect(descriptor.kind == kind, "\(name)")
            #expect(descriptor.unit == unit, "\(name)")
            #expect(descriptor.bucketBoundaries == buckets, "\(name)")
        }
    }

    @Test func tableIsWellFormed() {
        let names = EngineMetricNames.all.map(\.name)
        #expect(Set(names).count == names.count)
        for descriptor in EngineMetricNames.all {
            #expect(descriptor.dimensions.contains(EngineMetricNames.modelNameDimension), "\(descriptor.name)")
            #expect(!descriptor.description.isEmpty)
            if descriptor.kind == .histogram {
                #expect(!descriptor.bucketBoundaries.isEmpty, "\(descriptor.name)")
                #expect(descriptor.bucketBoundaries == descriptor.bucketBoundaries.sorted(), "\(descriptor.name)")
                #expect(Set(descriptor.bucketBoundaries).count == descriptor.bucketBoundaries.count)
            } else {
                #expect(descriptor.bucketBoundaries.isEmpty, "\(descriptor.name)")
            }
        }
        #expect(EngineMetricNames.descriptor(named: "finished_requests")?.dimensions == ["model_name", "reason"])
        #expect(EngineMetricNames.descriptor(named: "kv_cache_usage_ratio")?.unit == "1")
        #expect(EngineMetricNames.descriptor(named: "no_such_metric") == nil)
    }
}
