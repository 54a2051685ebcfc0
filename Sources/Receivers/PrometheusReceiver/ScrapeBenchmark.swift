public import GatewayCore
internal import Logging
internal import SelfTelemetry

/// The cost of one scrape's parse and conversion to OTLP, per sample, for `otlp-gateway bench`: a vLLM-shaped
/// exposition of `series` gauge, counter and 12-bucket histogram series, scraped over and over into a consumer that
/// keeps nothing (the network is not measured).
public enum ScrapeBenchmark {
    /// Samples per second and the samples of one scrape.
    public static func run(series: Int, seconds: Double, now: () -> Double) -> (samplesPerSecond: Double, samples: Int)
    {
        var text = "# TYPE vllm:num_requests_running gauge\n# TYPE vllm:prompt_tokens_total counter\n"
        text += "# TYPE vllm:time_to_first_token_seconds histogram\n"
        let bounds = ["0.001", "0.005", "0.01", "0.02", "0.04", "0.06", "0.08", "0.1", "0.25", "0.5", "1.0", "+Inf"]
        for i in 0..<series {
            let labels = "model_name=\"model-\(i % 8)\",pod=\"pod-\(i)\""
            text += "vllm:num_requests_running{\(labels)} \(i % 13)\n"
            text += "vllm:prompt_tokens_total{\(labels)} \(i * 1000)\n"
            for (b, le) in bounds.enumerated() {
                text += "vllm:time_to_first_token_seconds_bucket{\(labels),le=\"\(le)\"} \(b * 10 + i)\n"
            }
            text +=
                "vllm:time_to_first_token_seconds_sum{\(labels)} 12.5\nvllm:time_to_first_token_seconds_count{\(labels)} \(110 + i)\n"
        }
        let samplesPerScrape = series * (2 + bounds.count + 2)
        let job = ScrapeJob(benchmark: ())
        let scraper = Scraper(
            job: job,
            target: Scraper.Target(
                host: "127.0.0.1", port: 8000, scheme: "http", path: "/metrics", job: "vllm",
                instance: "127.0.0.1:8000",
                labels: [:]),
            next: Discard(), tls: nil, registry: TelemetryRegistry(), logger: Logger(label: "bench"), receiver: "bench")
        var samples = 0
        let start = now()
        var time: UInt64 = 1_700_000_000_000_000_000
        repeat {
            guard let families = try? PrometheusTextParser.parse(text, openMetrics: false),
                case .success(let metrics) = scraper.convert(families, scraped: samplesPerScrape, at: time, duration: 0)
            else { break }
            _ = try? Discard().consume(metrics)
            samples += samplesPerScrape
            time += 1_000_000_000
        } while now() - start < seconds
        return (Double(samples) / (now() - start), samplesPerScrape)
    }

    struct Discard: Consumer {
        func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult { .accepted }
    }
}

extension ScrapeJob {
    /// A job with Prometheus' defaults and no limits, for the benchmark.
    init(benchmark: Void) {
        name = "vllm"
        interval = .seconds(15)
        timeout = .seconds(10)
        metricsPath = "/metrics"
        scheme = "http"
        params = []
        targets = []
        fileDiscovery = []
        honorLabels = false
        honorTimestamps = true
        sampleLimit = 0
        bodySizeLimit = 0
        labelLimit = 0
        relabel = []
        metricRelabel = []
        authorization = nil
        tls = nil
    }
}
