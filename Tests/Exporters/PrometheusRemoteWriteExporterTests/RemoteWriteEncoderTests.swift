import COTLPProto
import Compression
import GatewayCore
import MetricStore
import PrometheusRemoteWriteExporter
import PrometheusTranslation
import SelfTelemetry
import Testing

/// A decoded remote-write series: labels as (name, value) in wire order, and its samples.
struct DecodedSeries: Equatable {
    var labels: [String]
    var samples: [(value: Double, timestamp: Int64)]
    var histogramCount: UInt64?
    var histogramSchema: Int32?
    static func == (a: DecodedSeries, b: DecodedSeries) -> Bool {
        a.labels == b.labels && a.samples.count == b.samples.count
            && zip(a.samples, b.samples).allSatisfy {
                $0.value.bitPattern == $1.value.bitPattern && $0.timestamp == $1.timestamp
            }
    }
}

/// Decodes a WriteRequest with protobuf-c, independently of our encoder.
func decode(_ body: [UInt8]) throws -> (series: [DecodedSeries], metadata: [String]) {
    try body.withUnsafeBufferPointer { buffer in
        guard let request = prometheus__write_request__unpack(nil, buffer.count, buffer.baseAddress) else {
            throw DecodeError()
        }
        defer { prometheus__write_request__free_unpacked(request, nil) }
        var out: [DecodedSeries] = []
        for i in 0..<request.pointee.n_timeseries {
            let ts = request.pointee.timeseries[i]!.pointee
            var labels: [String] = []
            for j in 0..<ts.n_labels {
                let l = ts.labels[j]!.pointee
                labels.append(String(cString: l.name) + "=" + String(cString: l.value))
            }
            var samples: [(Double, Int64)] = []
            for j in 0..<ts.n_samples {
                let s = ts.samples[j]!.pointee
                samples.append((s.value, s.timestamp))
            }
            var series = DecodedSeries(labels: labels, samples: samples)
            if ts.n_histograms > 0 {
                let h = ts.histograms[0]!.pointee
                series.histogramCount = h.count_int
                series.histogramSchema = h.schema
            }
            out.append(series)
        }
        var metadata: [String] = []
        for i in 0..<request.pointee.n_metadata {
            let m = request.pointee.metadata[i]!.pointee
            metadata.append("\(String(cString: m.metric_family_name)):\(m.type.rawValue)")
        }
        return (out, metadata)
    }
}

struct DecodeError: Error {}

func series(
    _ family: MetricFamily, _ labels: [PrometheusLabel], _ value: SeriesValue, timeMs: Int64, stale: Bool = false
) -> MetricStore.Series {
    MetricStore.Series(
        family: family, labels: labels, value: value, startTimeUnixNano: 0, timeUnixNano: UInt64(timeMs) * 1_000_000,
        isStale: stale, exemplar: nil)
}

@Suite struct RemoteWriteEncoderTests {
    let counter = MetricFamily(name: "reqs_total", type: .counter, help: "Requests.", unit: "")
    let labels = [PrometheusLabel(name: "Zone", value: "a"), PrometheusLabel(name: "job", value: "svc")]

    @Test func countersAndGaugesCarrySortedLabelsWithNameAndExternalLabels() throws {
        let encoder = RemoteWriteEncoder(externalLabels: [
            PrometheusLabel(name: "cluster", value: "c1"), PrometheusLabel(name: "job", value: "ignored"),
        ])
        let requests = encoder.encode(
            updated: [series(counter, labels, .number(42), timeMs: 1000)], removed: [], removedAtMs: 0)
        #expect(requests.count == 1)
        #expect(requests[0].samples == 1)
        let (decoded, metadata) = try decode(requests[0].body)
        // Byte order: "Zone" < "__name__" < "cluster" < "job"; the series' own job wins over the external one.
        #expect(
            decoded == [
                DecodedSeries(
                    labels: ["Zone=a", "__name__=reqs_total", "cluster=c1", "job=svc"], samples: [(42, 1000)])
            ])
        #expect(metadata == ["reqs_total:1"])
    }

    @Test func classicHistogramsBecomeCumulativeBucketsSumAndCount() throws {
        let family = MetricFamily(name: "ttft_milliseconds", type: .histogram, help: "", unit: "ms")
        let h = ClassicHistogramValue(bounds: [10, 100], bucketCounts: [1, 2, 3], count: 6, sum: 250.5)
        let requests = RemoteWriteEncoder().encode(
            updated: [series(family, [PrometheusLabel(name: "job", value: "j")], .histogram(h), timeMs: 5)],
            removed: [], removedAtMs: 0)
        let (decoded, _) = try decode(requests[0].body)
        #expect(
            decoded.map(\.labels) == [
                ["__name__=ttft_milliseconds_bucket", "job=j", "le=10"],
                ["__name__=ttft_milliseconds_bucket", "job=j", "le=100"],
                ["__name__=ttft_milliseconds_bucket", "job=j", "le=+Inf"],
                ["__name__=ttft_milliseconds_sum", "job=j"],
                ["__name__=ttft_milliseconds_count", "job=j"],
            ])
        #expect(decoded.map { $0.samples[0].value } == [1, 3, 6, 250.5, 6])
        #expect(requests[0].samples == 5)
    }

    @Test func staleAndRemovedSeriesGetTheStaleNaN() throws {
        let requests = RemoteWriteEncoder().encode(
            updated: [series(counter, labels, .number(1), timeMs: 7, stale: true)],
            removed: [series(counter, [PrometheusLabel(name: "job", value: "gone")], .number(3), timeMs: 1)],
            removedAtMs: 99)
        let (decoded, _) = try decode(requests[0].body)
        #expect(decoded.count == 2)
        #expect(decoded[0].samples[0].value.bitPattern == 0x7FF0_0000_0000_0002)
        #expect(decoded[0].samples[0].timestamp == 7)
        #expect(decoded[1].samples[0].value.bitPattern == 0x7FF0_0000_0000_0002)
        #expect(decoded[1].samples[0].timestamp == 99)
    }

    @Test func nativeHistogramsWhenEnabledClassicOtherwise() throws {
        let family = MetricFamily(name: "lat_seconds", type: .histogram, help: "", unit: "s")
        let e = ExponentialHistogramValue(
            scale: 10, zeroCount: 1, zeroThreshold: 0, positiveOffset: 0, positiveCounts: [1, 1, 1, 1, 1],
            negativeOffset: 0, negativeCounts: [], count: 6, sum: 3)
        let native = RemoteWriteEncoder(nativeHistograms: true).encode(
            updated: [series(family, [], .exponentialHistogram(e), timeMs: 1)], removed: [], removedAtMs: 0)
        let (n, _) = try decode(native[0].body)
        #expect(n.count == 1)
        #expect(n[0].histogramCount == 6)
        // Scale 10 is above Prometheus' finest schema and is downscaled to 8.
        #expect(n[0].histogramSchema == 8)
        let classic = RemoteWriteEncoder(nativeHistograms: false).encode(
            updated: [series(family, [], .exponentialHistogram(e), timeMs: 1)], removed: [], removedAtMs: 0)
        let (c, _) = try decode(classic[0].body)
        #expect(c.last?.labels == ["__name__=lat_seconds_count"])
        #expect(c.first { $0.labels.contains("le=+Inf") }?.samples[0].value == 6)
    }

    @Test func requestsSplitAtTheByteLimitBetweenSeries() throws {
        let many = (0..<200).map { i in
            series(
                counter, [PrometheusLabel(name: "id", value: String(repeating: "x", count: 50) + "\(i)")],
                .number(Double(i)), timeMs: 1)
        }
        let requests = RemoteWriteEncoder(maxBytes: 2048, sendMetadata: false).encode(
            updated: many, removed: [], removedAtMs: 0)
        #expect(requests.count > 1)
        #expect(requests.allSatisfy { $0.body.count <= 2048 })
        var total = 0
        for r in requests { total += try decode(r.body).series.count }
        #expect(total == 200)
        #expect(requests.reduce(0) { $0 + $1.samples } == 200)
    }

    @Test func snappyBodyRoundTrips() throws {
        let requests = RemoteWriteEncoder().encode(
            updated: [series(counter, labels, .number(1), timeMs: 1)], removed: [], removedAtMs: 0)
        let compressed = Snappy.compress(requests[0].body)
        #expect(try Snappy.decompress(compressed, limit: 1 << 20) == requests[0].body)
    }
}

@Suite struct RemoteWriteExemplarTests {
    @Test func histogramExemplarRidesOnItsBucket() throws {
        let family = MetricFamily(name: "traces_spanmetrics_latency", type: .histogram, help: "", unit: "")
        var s = series(
            family, [PrometheusLabel(name: "service", value: "api")],
            .histogram(ClassicHistogramValue(bounds: [0.1, 1], bucketCounts: [0, 1, 0], count: 1, sum: 0.5)), timeMs: 10
        )
        s.exemplar = Exemplar(
            timeUnixNano: 9_000_000, value: .double(0.5), spanID: SpanID(value: 0xAB), traceID: TraceID(high: 1, low: 2)
        )
        let body = RemoteWriteEncoder().encode(updated: [s], removed: [], removedAtMs: 0)[0].body
        let exemplars = try body.withUnsafeBufferPointer { buffer -> [(String, [String])] in
            let request = try #require(prometheus__write_request__unpack(nil, buffer.count, buffer.baseAddress))
            defer { prometheus__write_request__free_unpacked(request, nil) }
            var out: [(String, [String])] = []
            for i in 0..<request.pointee.n_timeseries {
                let ts = request.pointee.timeseries[i]!.pointee
                guard ts.n_exemplars > 0 else { continue }
                let le =
                    (0..<ts.n_labels).map { ts.labels[$0]!.pointee }.first { String(cString: $0.name) == "le" }.map {
                        String(cString: $0.value)
                    } ?? ""
                let e = ts.exemplars[0]!.pointee
                let labels = (0..<e.n_labels).map {
                    String(cString: e.labels[$0]!.pointee.name) + "=" + String(cString: e.labels[$0]!.pointee.value)
                }
                out.append((le, labels + ["value=\(e.value)", "ts=\(e.timestamp)"]))
            }
            return out
        }
        #expect(exemplars.count == 1)
        #expect(exemplars.first?.0 == "1")
        #expect(
            exemplars.first?.1 == [
                "span_id=00000000000000ab", "trace_id=00000000000000010000000000000002", "value=0.5", "ts=9",
            ])
    }
}
