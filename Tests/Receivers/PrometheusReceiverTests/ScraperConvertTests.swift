import GatewayCore
import Logging
import SelfTelemetry
import Testing

@testable import PrometheusReceiver

@Suite struct ScraperConvertTests {
    struct Discard: Consumer {
        func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult { .accepted }
    }

    static func scraper(labels: [String: String] = ["pod": "p"]) -> Scraper {
        Scraper(
            job: ScrapeJob(benchmark: ()),
            target: Scraper.Target(
                host: "h", port: 1, scheme: "http", path: "/metrics", job: "vllm", instance: "h:1", labels: labels),
            next: Discard(), tls: nil, registry: TelemetryRegistry(), logger: Logger(label: "t"), receiver: "r")
    }

    static func convert(_ scraper: Scraper, _ text: String, openMetrics: Bool = false, at seconds: UInt64) throws
        -> [Metric]
    {
        let families = try PrometheusTextParser.parse(text, openMetrics: openMetrics)
        guard
            case .success(let metrics) = scraper.convert(families, scraped: 0, at: seconds * 1_000_000_000, duration: 0)
        else {
            Issue.record("conversion failed")
            return []
        }
        #expect(metrics.resourceMetrics[0].resource.attributes["service.name"] == .string("vllm"))
        #expect(metrics.resourceMetrics[0].resource.attributes["service.instance.id"] == .string("h:1"))
        return metrics.resourceMetrics[0].scopeMetrics[0].metrics
    }

    static func sumPoints(_ metrics: [Metric], _ name: String) -> [NumberDataPoint] {
        guard case .sum(let sum)? = metrics.first(where: { $0.name == name })?.data else { return [] }
        return sum.dataPoints
    }

    @Test func countersKeepTheirStartUntilTheyReset() throws {
        let scraper = Self.scraper()
        func text(_ value: Int) -> String { "# TYPE reqs counter\nreqs_total{code=\"200\"} \(value)\n" }
        let first = Self.sumPoints(try Self.convert(scraper, text(10), at: 100), "reqs_total")
        #expect(first.first?.startTimeUnixNano == 100_000_000_000)
        #expect(first.first?.attributes == ["code": .string("200"), "pod": .string("p")])
        let second = Self.sumPoints(try Self.convert(scraper, text(15), at: 115), "reqs_total")
        #expect(second.first?.startTimeUnixNano == 100_000_000_000)
        // Lower than before: the process restarted, a new start.
        let reset = Self.sumPoints(try Self.convert(scraper, text(2), at: 130), "reqs_total")
        #expect(reset.first?.startTimeUnixNano == 130_000_000_000)
    }

    @Test func openMetricsCreatedIsTheStart() throws {
        let text = "# TYPE reqs counter\nreqs_total 7\nreqs_created 1700000000.5\n# EOF\n"
        let points = Self.sumPoints(
            try Self.convert(Self.scraper(), text, openMetrics: true, at: 1_700_000_100), "reqs_total")
        #expect(points.count == 1)
        #expect(points.first?.startTimeUnixNano == 1_700_000_000_500_000_000)
    }

    @Test func aSeriesThatGoesGetsAStaleMarkerOfItsType() throws {
        let scraper = Self.scraper()
        _ = try Self.convert(scraper, "# TYPE reqs counter\nreqs_total{a=\"1\"} 1\nreqs_total{a=\"2\"} 1\n", at: 100)
        let metrics = try Self.convert(scraper, "# TYPE reqs counter\nreqs_total{a=\"1\"} 2\n", at: 115)
        let points = metrics.filter { $0.name == "reqs_total" }.flatMap { m -> [NumberDataPoint] in
            if case .sum(let s) = m.data { return s.dataPoints }
            return []
        }
        let stale = points.filter { $0.flags.contains(.noRecordedValue) }
        #expect(stale.count == 1)
        #expect(stale.first?.attributes["a"] == .string("2"))
        let up = metrics.first { $0.name == "up" }
        guard case .gauge(let upPoints)? = up?.data else {
            Issue.record("no up")
            return
        }
        #expect(upPoints.first?.value == .double(1))
    }

    @Test func histogramsBecomeBucketsAndTargetLabelsWinUnlessHonored() throws {
        let text = """
            # TYPE ttft histogram
            ttft_bucket{le="0.1",pod="scraped"} 2
            ttft_bucket{le="1",pod="scraped"} 5
            ttft_bucket{le="+Inf",pod="scraped"} 6
            ttft_sum{pod="scraped"} 3.5
            ttft_count{pod="scraped"} 6
            """
        let metrics = try Self.convert(Self.scraper(), text, at: 100)
        guard case .histogram(let h)? = metrics.first(where: { $0.name == "ttft" })?.data else {
            Issue.record("no histogram")
            return
        }
        #expect(h.dataPoints.count == 1)
        let point = h.dataPoints[0]
        #expect(point.explicitBounds == [0.1, 1])
        #expect(point.bucketCounts == [2, 3, 1])
        #expect(point.count == 6 && point.sum == 3.5)
        // The target's label wins; the scraped one is kept as exported_pod.
        #expect(point.attributes["pod"] == .string("p"))
        #expect(point.attributes["exported_pod"] == .string("scraped"))
    }
}
