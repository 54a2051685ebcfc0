public import GatewayCore

/// Synthetic OTLP data shaped like an instrumented inference service, for load generation and benchmarks.
public struct SyntheticTelemetry: Sendable {
    private var state: UInt64

    public init(seed: UInt64 = 0x9E37_79B9_7F4A_7C15) { state = seed | 1 }

    private mutating func next() -> UInt64 {
        // xorshift64*: fast and good enough for ids.
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }

    static let resource = Resource(attributes: [
        "service.name": .string("loadgen"),
        "service.namespace": .string("otlp-gateway"),
        "service.instance.id": .string("loadgen-1"),
        "telemetry.sdk.language": .string("swift"),
    ])
    static let scope = InstrumentationScope(name: "otlp-gateway/loadgen", version: "0.1.0")

    /// `count` spans in one resource and scope: traces of 5 spans (one root server span and its children).
    public mutating func traces(spans count: Int, nowNanos: UInt64) -> Traces {
        var spans: [Span] = []
        spans.reserveCapacity(count)
        var traceID = TraceID(high: next(), low: next())
        var root = SpanID(value: next())
        for i in 0..<count {
            if i % 5 == 0 {
                traceID = TraceID(high: next(), low: next())
                root = SpanID(value: next())
            }
            let isRoot = i % 5 == 0
            let start = nowNanos - 2_000_000 + UInt64(i % 5) * 100_000
            spans.append(
                Span(
                    traceID: traceID,
                    spanID: isRoot ? root : SpanID(value: next()),
                    parentSpanID: isRoot ? .invalid : root,
                    name: isRoot ? "POST /v1/completions" : "decode_step",
                    kind: isRoot ? .server : .internal,
                    startTimeUnixNano: start,
                    endTimeUnixNano: start + 1_000_000 + (next() % 500_000),
                    attributes: [
                        "http.request.method": .string("POST"),
                        "http.response.status_code": .int(200),
                        "gen_ai.request.model": .string("tiny-llm"),
                        "gen_ai.usage.output_tokens": .int(Int64(next() % 512)),
                        "batch.size": .int(Int64(1 + next() % 64)),
                    ],
                    status: SpanStatus(code: .unset)
                ))
        }
        return Traces(resourceSpans: [
            ResourceSpans(resource: Self.resource, scopeSpans: [ScopeSpans(scope: Self.scope, spans: spans)])
        ])
    }

    /// `count` data points: a cumulative counter with one point per series (`series` label), a gauge and a
    /// histogram sharing the budget in thirds.
    public mutating func metrics(points count: Int, nowNanos: UInt64, startNanos: UInt64) -> Metrics {
        let third = Swift.max(1, count / 3)
        var sums: [NumberDataPoint] = []
        var gauges: [NumberDataPoint] = []
        var histograms: [HistogramDataPoint] = []
        for i in 0..<count {
            let attributes: Attributes = ["model_name": .string("tiny-llm"), "series": .int(Int64(i))]
            switch i / third {
            case 0:
                sums.append(
                    NumberDataPoint(
                        attributes: attributes, startTimeUnixNano: startNanos, timeUnixNano: nowNanos,
                        value: .int(Int64(next() % 100_000))))
            case 1:
                gauges.append(
                    NumberDataPoint(
                        attributes: attributes, timeUnixNano: nowNanos, value: .double(Double(next() % 1000) / 10)))
            default:
                var buckets = [UInt64](repeating: 0, count: 8)
                for b in 0..<8 { buckets[b] = next() % 100 }
                histograms.append(
                    HistogramDataPoint(
                        attributes: attributes, startTimeUnixNano: startNanos, timeUnixNano: nowNanos,
                        count: buckets.reduce(0, +), sum: Double(next() % 10_000),
                        bucketCounts: buckets, explicitBounds: [5, 10, 25, 50, 100, 250, 500]))
            }
        }
        var metrics: [Metric] = []
        if !sums.isEmpty {
            metrics.append(
                Metric(
                    name: "decode_tokens_processed", unit: "{token}",
                    data: .sum(Sum(dataPoints: sums, temporality: .cumulative, isMonotonic: true))))
        }
        if !gauges.isEmpty {
            metrics.append(Metric(name: "batch_fill_percentage", unit: "percent", data: .gauge(gauges)))
        }
        if !histograms.isEmpty {
            metrics.append(
                Metric(
                    name: "ttft_milliseconds", unit: "ms",
                    data: .histogram(Histogram(dataPoints: histograms, temporality: .cumulative))))
        }
        return Metrics(resourceMetrics: [
            ResourceMetrics(resource: Self.resource, scopeMetrics: [ScopeMetrics(scope: Self.scope, metrics: metrics)])
        ])
    }
}
