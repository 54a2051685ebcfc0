internal import Compression
internal import GatewayCore
internal import LoadGen
internal import MetricStore
internal import OTLPWire
internal import PrometheusReceiver
internal import PrometheusRemoteWriteExporter
internal import SelfTelemetry

#if canImport(Glibc)
    import Glibc
#endif

/// In-process benchmarks of the hot paths, on one core (everything runs on the calling thread): OTLP decode,
/// decode + aggregation into the metric store, store memory per series, and remote-write encoding.
/// Figures depend on the machine; `scripts/bench` prints them together with the machine's description.
public enum Benchmarks {
    public struct Options: Sendable {
        public var seconds: Double = 3
        public var memorySeries: [Int] = [100_000, 1_000_000]
        public init() {}
    }

    public static func run(_ options: Options) -> String {
        var lines: [String] = []
        lines.append(decodeTraces(seconds: options.seconds))
        lines.append(receiveAggregate(seconds: options.seconds))
        for n in options.memorySeries { lines.append(storeMemory(series: n)) }
        lines.append(remoteWriteEncode(series: 100_000))
        lines.append(scrape(seconds: options.seconds))
        return lines.joined(separator: "\n")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Resident memory: what a series really costs the host, allocator overhead included.
    static func heapBytes() -> Int { ProcessMetrics.residentBytes() }

    /// Protobuf-c decode of 100-span requests into the model (the receive path before the pipeline).
    static func decodeTraces(seconds: Double) -> String {
        var synthetic = SyntheticTelemetry()
        let payloads = (0..<16).map { _ in
            OTLPProtobuf.encode(synthetic.traces(spans: 100, nowNanos: 1_700_000_000_000_000_000))
        }
        let arena = ProtobufArena()
        var spans = 0
        let start = now()
        var i = 0
        while now() - start < seconds {
            for _ in 0..<100 {
                let decoded = payloads[i % payloads.count].withUnsafeBytes {
                    try! OTLPProtobuf.decodeTraces($0, arena: arena)
                }
                spans += decoded.spanCount
                i += 1
            }
        }
        let elapsed = now() - start
        return
            "decode traces (protobuf-c, arena): \(Int(Double(spans) / elapsed)) spans/s (\(String(format1: 1e9 * elapsed / Double(spans))) ns/span), 100 spans per request"
    }

    /// The prometheus receiver: parse one scrape's text and convert it to OTLP.
    static func scrape(seconds: Double) -> String {
        let (rate, samples) = ScrapeBenchmark.run(series: 1000, seconds: seconds, now: now)
        return
            "scrape parse + convert (prometheus receiver): \(Int(rate)) samples/s (\(String(format1: 1e9 / rate)) ns/sample), \(samples) samples per scrape"
    }

    /// Decode plus aggregation: the data points per second one core turns from OTLP bytes into store state.
    /// Each pass feeds a fresh store 64 requests of 1000 points over the same 1000 series, each request newer
    /// than the last, so every point is applied (none is dropped as out of order).
    static func receiveAggregate(seconds: Double) -> String {
        var synthetic = SyntheticTelemetry()
        let base: UInt64 = 1_700_000_000_000_000_000
        let rounds = 64
        let payloads = (0..<rounds).map { r in
            OTLPProtobuf.encode(
                synthetic.metrics(points: 1000, nowNanos: base + UInt64(r + 1) * 1_000_000_000, startNanos: base))
        }
        let arena = ProtobufArena()
        var points = 0
        var series = 0
        let start = now()
        repeat {
            let store = MetricStore(settings: .init(maxSeriesPerMetric: 1_000_000), registry: TelemetryRegistry())
            for payload in payloads {
                let metrics = payload.withUnsafeBytes { try! OTLPProtobuf.decodeMetrics($0, arena: arena) }
                store.ingest(metrics)
                points += metrics.dataPointCount
            }
            series = store.seriesCount
        } while now() - start < seconds
        let elapsed = now() - start
        return
            "decode + aggregate metrics: \(Int(Double(points) / elapsed)) data points/s (\(series) series; counters, gauges, 8-bucket histograms in thirds)"
    }

    /// Heap bytes per active series for `series` series with 10 labels each (gauges).
    static func storeMemory(series: Int) -> String {
        let registry = TelemetryRegistry()
        let before = heapBytes()
        let store = MetricStore(settings: .init(maxSeriesPerMetric: series + 1), registry: registry)
        let resource = Resource(attributes: ["service.name": .string("svc"), "service.instance.id": .string("i-1")])
        let scope = InstrumentationScope(name: "bench", version: "1")
        let perRequest = 10_000
        var made = 0
        while made < series {
            let n = min(perRequest, series - made)
            var points: [NumberDataPoint] = []
            points.reserveCapacity(n)
            for k in 0..<n {
                let id = made + k
                // 8 attributes + job + instance = 10 labels, plus the two scope labels.
                points.append(
                    NumberDataPoint(
                        attributes: [
                            "model_name": .string("tiny-llm"), "region": .string("eu-west-\(id % 3)"),
                            "pod": .string("pod-\(id % 500)"),
                            "endpoint": .string("/v1/completions"), "status": .string("200"),
                            "tenant": .string("t\(id % 50)"),
                            "replica": .int(Int64(id % 7)), "series": .int(Int64(id)),
                        ], timeUnixNano: 1_700_000_000_000_000_000, value: .double(Double(id))))
            }
            store.ingest(
                Metrics(resourceMetrics: [
                    ResourceMetrics(
                        resource: resource,
                        scopeMetrics: [
                            ScopeMetrics(
                                scope: scope,
                                metrics: [
                                    Metric(name: "bench_gauge", data: .gauge(points))
                                ])
                        ])
                ]))
            made += n
        }
        let after = heapBytes()
        let count = store.seriesCount
        let perSeries = Double(after - before) / Double(count)
        withExtendedLifetime(store) {}
        return
            "metric store memory: \(Int(perSeries.rounded())) bytes/series (RSS growth) at \(count) series (12 labels each incl. job, instance, scope)"
    }

    /// Remote-write encoding (protobuf + snappy) of a full snapshot.
    static func remoteWriteEncode(series: Int) -> String {
        let registry = TelemetryRegistry()
        let store = MetricStore(settings: .init(maxSeriesPerMetric: series + 1), registry: registry)
        var synthetic = SyntheticTelemetry()
        let base: UInt64 = 1_700_000_000_000_000_000
        var made = 0
        while made < series {
            let metrics = synthetic.metrics(points: 3000, nowNanos: base, startNanos: base - 1)
            // Give every batch distinct series by tagging the resource.
            var tagged = metrics
            tagged.resourceMetrics[0].resource = Resource(attributes: [
                "service.name": .string("svc"), "service.instance.id": .string("i-\(made)"),
            ])
            store.ingest(tagged)
            made += 3000
        }
        let reader = store.makeReader()
        let changes = store.changes(for: reader)
        let encoder = RemoteWriteEncoder(maxBytes: 3_000_000)
        let start = now()
        let requests = encoder.encode(updated: changes.updated, removed: [], removedAtMs: 0)
        var compressed = 0
        for r in requests { compressed += Snappy.compress(r.body).count }
        let elapsed = now() - start
        let samples = requests.reduce(0) { $0 + $1.samples }
        return
            "remote-write encode + snappy: \(Int(Double(samples) / elapsed)) samples/s (\(samples) samples from \(changes.updated.count) series, \(requests.count) requests, \(compressed / max(1, samples)) bytes/sample compressed)"
    }
}

extension String {
    init(format1 v: Double) {
        let scaled = (v * 10).rounded() / 10
        self = String(scaled)
    }
}
