import GatewayCore
import PrometheusTranslation
import Testing

@Suite struct PrometheusNamerTests {
    let namer = PrometheusNamer()

    // MARK: Unit and type suffixes

    @Test func histogramNameAlreadyEndingInTheUnitWordIsKept() {
        #expect(namer.metricName("ttft_milliseconds", unit: "ms", type: .histogram) == "ttft_milliseconds")
    }

    @Test func unknownUnitIsAppendedAsWritten() {
        #expect(
            namer.metricName("batch_fill_percentage", unit: "percent", type: .histogram)
                == "batch_fill_percentage_percent")
        #expect(namer.metricName("custom_metric", unit: "custom_unit", type: .gauge) == "custom_metric_custom_unit")
    }

    @Test func monotonicCounterGetsTotal() {
        #expect(
            namer.metricName("decode_tokens_processed", unit: "", type: .counter) == "decode_tokens_processed_total")
        #expect(namer.metricName("system.io", unit: "By", type: .counter) == "system_io_bytes_total")
    }

    @Test func unitOneIsRatioOnGaugesOnly() {
        #expect(namer.metricName("cpu.utilization", unit: "1", type: .gauge) == "cpu_utilization_ratio")
        #expect(namer.metricName("http.requests", unit: "1", type: .counter) == "http_requests_total")
        #expect(namer.metricName("batch.size", unit: "1", type: .histogram) == "batch_size")
        #expect(namer.metricName("batch.size", unit: "1", type: .summary) == "batch_size")
        #expect(namer.metricName("queue.fill", unit: "1", type: .unknown) == "queue_fill")
        #expect(namer.metricName("hw.fan.speed_ratio", unit: "1", type: .gauge) == "hw_fan_speed_ratio")
    }

    @Test func existingSuffixesAreNotDuplicated() {
        #expect(namer.metricName("response_time_seconds", unit: "s", type: .gauge) == "response_time_seconds")
        #expect(namer.metricName("requests_total", unit: "", type: .counter) == "requests_total")
        #expect(
            namer.metricName("network_transmitted_bytes_total", unit: "By", type: .counter)
                == "network_transmitted_bytes_total")
        #expect(namer.metricName("cpu_usage_ratio", unit: "1", type: .gauge) == "cpu_usage_ratio")
        #expect(
            namer.metricName("broken.metric.success_percent", unit: "%", type: .gauge)
                == "broken_metric_success_percent")
        // The unit word is skipped when it is any word of the name, not only the last.
        #expect(
            namer.metricName("system.network.packets.dropped", unit: "packets", type: .gauge)
                == "system_network_packets_dropped")
        // `total` and `ratio` move to the end.
        #expect(namer.metricName("total.requests", unit: "", type: .counter) == "requests_total")
        // The per word is compared as one word, so a name already spelling it out gets it again.
        #expect(namer.metricName("bytes_per_second", unit: "By/s", type: .gauge) == "bytes_per_second_per_second")
    }

    // MARK: Namespace

    @Test func namespacePrefixesWithAnUnderscore() {
        let namer = PrometheusNamer(namespace: "vllm")
        #expect(namer.metricName("requests", unit: "", type: .counter) == "vllm_requests_total")
        #expect(namer.metricName("#test", unit: "", type: .gauge) == "vllm_test")
        #expect(namer.metricName("123_requests", unit: "", type: .counter) == "vllm_123_requests_total")
        #expect(namer.metricName("requests", unit: "1/s", type: .counter) == "vllm_requests_per_second_total")
        #expect(PrometheusNamer(namespace: "1ns").metricName("x", unit: "", type: .gauge) == "_1ns_x")
    }

    @Test func targetInfoNameFollowsTheNamespace() {
        #expect(PrometheusNamer().targetInfoMetricName == "target_info")
        #expect(PrometheusNamer(namespace: "vllm").targetInfoMetricName == "vllm_target_info")
    }

    // MARK: No translation

    @Test func noTranslationKeepsNamesAndAddsNoSuffixes() {
        let namer = PrometheusNamer(strategy: .noTranslation)
        #expect(namer.metricName("http.server.duration", unit: "s", type: .histogram) == "http.server.duration")
        #expect(namer.metricName("http.requests", unit: "1", type: .counter) == "http.requests")
        #expect(namer.metricName("cpu.utilization", unit: "1", type: .gauge) == "cpu.utilization")
        #expect(namer.metricName("température", unit: "Cel", type: .gauge) == "température")
        #expect(namer.metricName("请求", unit: "", type: .counter) == "请求")
        let namespaced = PrometheusNamer(strategy: .noTranslation, namespace: "ns")
        #expect(namespaced.metricName("métric_with_ñ_chars", unit: "", type: .gauge) == "ns_métric_with_ñ_chars")
    }

    // MARK: From OTLP metrics

    @Test func metricNameForDerivesTheTypeFromTheData() {
        func sum(monotonic: Bool, _ temporality: AggregationTemporality = .cumulative) -> MetricData {
            .sum(Sum(dataPoints: [], temporality: temporality, isMonotonic: monotonic))
        }
        #expect(namer.metricName(for: Metric(name: "queue.fill", unit: "1", data: .gauge([]))) == "queue_fill_ratio")
        // Prometheus exposes non-monotonic sums as gauges but names them without `_ratio`.
        #expect(
            namer.metricName(for: Metric(name: "queue.fill", unit: "1", data: sum(monotonic: false))) == "queue_fill")
        #expect(
            namer.metricName(for: Metric(name: "tokens", unit: "{token}", data: sum(monotonic: true))) == "tokens_total"
        )
        #expect(
            namer.metricName(for: Metric(name: "tokens", unit: "", data: sum(monotonic: true, .delta)))
                == "tokens_total")
        #expect(
            namer.metricName(
                for: Metric(
                    name: "ttft", unit: "ms", data: .histogram(Histogram(dataPoints: [], temporality: .cumulative))))
                == "ttft_milliseconds")
        #expect(
            namer.metricName(
                for: Metric(
                    name: "size", unit: "1",
                    data: .exponentialHistogram(ExponentialHistogram(dataPoints: [], temporality: .cumulative))))
                == "size")
        #expect(
            namer.metricName(for: Metric(name: "rpc.latency", unit: "s", data: .summary([]))) == "rpc_latency_seconds")
        #expect(namer.metricName(for: Metric(name: "nothing", unit: "1", data: .empty)) == "nothing")
    }

    @Test func noTranslationKeepsLabelNames() {
        let namer = PrometheusNamer(strategy: .noTranslation)
        #expect(namer.labelName("température") == "température")
        #expect(namer.labelName("请求") == "请求")
        #expect(namer.labelName("http.method") == "http.method")
        #expect(namer.labelName("123label") == "123label")
        #expect(namer.labelName("__") == "")
        #expect(namer.labelName("") == "")
    }
}
