import GatewayCore
import Logging
import OTLPWire
import SelfTelemetry
import SpanMetricsConnector
import Synchronization
import TestSupport
import Testing

final class MetricsSink: Consumer, Sendable {
    let received = Mutex<[Metrics]>([])
    func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult {
        received.withLock { $0.append(data) }
        return .accepted
    }
    var last: Metrics? { received.withLock { $0.last } }
}

func span(
    _ name: String, ms: UInt64, kind: SpanKind = .server, status: SpanStatus.Code = .unset, attributes: Attributes = [:]
) -> Span {
    Span(
        traceID: TraceID(high: 1, low: 2), spanID: SpanID(value: 3), name: name, kind: kind,
        startTimeUnixNano: 1_000_000_000, endTimeUnixNano: 1_000_000_000 + ms * 1_000_000, attributes: attributes,
        status: SpanStatus(code: status))
}

func traces(service: String, _ spans: [Span]) -> Traces {
    Traces(resourceSpans: [
        ResourceSpans(
            resource: Resource(attributes: ["service.name": .string(service)]), scopeSpans: [ScopeSpans(spans: spans)])
    ])
}

@Suite struct SpanMetricsConnectorTests {
    let registry = TelemetryRegistry()

    func connector(_ settings: SpanMetricsConnector.Settings = .init(), sink: MetricsSink) -> SpanMetricsConnector {
        SpanMetricsConnector(
            name: "spanmetrics", settings: settings, next: sink, registry: registry, logger: Logger(label: "t"),
            now: { 2_000_000_000 })
    }

    @Test func callsAndLatencyPerServiceNameKindAndStatus() throws {
        let sink = MetricsSink()
        let c = connector(.init(buckets: [0.005, 0.1, 1]), sink: sink)
        _ = try c.consume(
            traces(
                service: "api",
                [span("GET /a", ms: 3), span("GET /a", ms: 50), span("GET /a", ms: 2000, status: .error)]))
        _ = try c.consume(traces(service: "api", [span("GET /a", ms: 4)]))
        c.flush()
        let metrics = try #require(sink.last)
        let all = metrics.resourceMetrics[0].scopeMetrics[0].metrics
        #expect(all.map(\.name) == ["traces.spanmetrics.calls", "traces.spanmetrics.latency"])
        guard case .sum(let calls) = all[0].data, case .histogram(let latency) = all[1].data else {
            Issue.record("unexpected kinds")
            return
        }
        #expect(calls.isMonotonic && calls.temporality == .cumulative)
        #expect(calls.dataPoints.count == 2)
        let ok = try #require(calls.dataPoints.first { $0.attributes["status_code"] == .string("STATUS_CODE_UNSET") })
        #expect(ok.value == .int(3))
        #expect(ok.attributes["service"] == .string("api"))
        #expect(ok.attributes["span_name"] == .string("GET /a"))
        #expect(ok.attributes["span_kind"] == .string("SPAN_KIND_SERVER"))
        let okLatency = try #require(
            latency.dataPoints.first { $0.attributes["status_code"] == .string("STATUS_CODE_UNSET") })
        #expect(okLatency.bucketCounts == [2, 1, 0, 0])
        #expect(okLatency.count == 3)
        #expect(abs((okLatency.sum ?? 0) - 0.057) < 1e-9)
        let error = try #require(
            latency.dataPoints.first { $0.attributes["status_code"] == .string("STATUS_CODE_ERROR") })
        #expect(error.bucketCounts == [0, 0, 0, 1])
    }

    @Test func dimensionsComeFromSpanThenResourceThenDefault() throws {
        let sink = MetricsSink()
        let c = connector(
            .init(dimensions: [.init(name: "http.method"), .init(name: "region", defaultValue: "none")]), sink: sink)
        _ = try c.consume(
            traces(service: "api", [span("x", ms: 1, attributes: ["http.method": .string("POST")]), span("y", ms: 1)]))
        c.flush()
        guard case .sum(let calls)? = sink.last?.resourceMetrics[0].scopeMetrics[0].metrics[0].data else {
            Issue.record("no calls")
            return
        }
        let x = try #require(calls.dataPoints.first { $0.attributes["span_name"] == .string("x") })
        #expect(x.attributes["http.method"] == .string("POST"))
        #expect(x.attributes["region"] == .string("none"))
        let y = try #require(calls.dataPoints.first { $0.attributes["span_name"] == .string("y") })
        #expect(y.attributes["http.method"] == nil)
    }

    @Test func cardinalityIsBoundedByAnOverflowSeries() throws {
        let sink = MetricsSink()
        let c = connector(.init(maxSeries: 2), sink: sink)
        _ = try c.consume(traces(service: "api", (0..<5).map { span("op\($0)", ms: 1) }))
        c.flush()
        guard case .sum(let calls)? = sink.last?.resourceMetrics[0].scopeMetrics[0].metrics[0].data else {
            Issue.record("no calls")
            return
        }
        #expect(calls.dataPoints.count == 3)
        let overflow = try #require(calls.dataPoints.first { $0.attributes["otel.metric.overflow"] == .string("true") })
        #expect(overflow.value == .int(3))
        #expect(
            registry.value("otlp_gateway_spanmetrics_overflow_spans_total", labels: ["connector": "spanmetrics"]) == 3)
    }

    @Test func deltaTemporalityResetsAfterEachFlushAndExemplarsCarryTraceIDs() throws {
        let sink = MetricsSink()
        let c = connector(.init(exemplars: true, delta: true), sink: sink)
        _ = try c.consume(traces(service: "api", [span("a", ms: 1)]))
        c.flush()
        c.flush()
        #expect(sink.received.withLock { $0.count } == 1)
        _ = try c.consume(traces(service: "api", [span("a", ms: 1), span("a", ms: 1)]))
        c.flush()
        let metrics = try #require(sink.last)
        guard case .sum(let calls) = metrics.resourceMetrics[0].scopeMetrics[0].metrics[0].data,
            case .histogram(let latency) = metrics.resourceMetrics[0].scopeMetrics[0].metrics[1].data
        else {
            Issue.record("unexpected kinds")
            return
        }
        #expect(calls.temporality == .delta)
        #expect(calls.dataPoints[0].value == .int(2))
        #expect(latency.dataPoints[0].exemplars.first?.traceID == TraceID(high: 1, low: 2))
    }

    @Test func flushesEveryIntervalOnTheClockAndOnceMoreWhenStopped() async throws {
        let sink = MetricsSink()
        let clock = ManualClock()
        let c = connector(.init(flushInterval: .seconds(15)), sink: sink)
        let task = Task { await c.run(clock: clock) }
        _ = try c.consume(traces(service: "a", [span("GET", ms: 5)]))
        #expect(await clock.waitForSleepers())
        #expect(sink.received.withLock { $0.count } == 0)
        clock.advance(by: .seconds(15))
        #expect(await clock.waitForSleepers())
        #expect(sink.received.withLock { $0.count } == 1)
        _ = try c.consume(traces(service: "a", [span("GET", ms: 7)]))
        task.cancel()
        await task.value
        let flushes = sink.received.withLock { $0.count }
        #expect(flushes == 2, "the final flush on stop")
    }
}

/// Forwarded traces are read in place from their bytes: the metrics must equal those of the same spans as the model,
/// whatever the resources, dimensions (string, non-string, absent, defaulted, on the resource), kinds, statuses and
/// overflow.
@Suite struct SpanMetricsConnectorWireTests {
    func connector(_ settings: SpanMetricsConnector.Settings, sink: MetricsSink) -> SpanMetricsConnector {
        SpanMetricsConnector(
            name: "spanmetrics", settings: settings, next: sink, registry: TelemetryRegistry(),
            logger: Logger(label: "t"), now: { 2_000_000_000 })
    }

    static func randomTraces(_ rng: inout some RandomNumberGenerator) -> Traces {
        Traces(
            resourceSpans: (0..<Int.random(in: 1...4, using: &rng)).map { r in
                var resource = [Attribute(key: "region", value: .string(["eu", "us"].randomElement(using: &rng)!))]
                // A string service, a non-string one, none.
                if r == 1 {
                    resource.append(Attribute(key: "service.name", value: .int(7)))
                } else if r % 3 != 2 {
                    resource.append(Attribute(key: "service.name", value: .string("svc\(r % 2)")))
                }
                return ResourceSpans(
                    resource: Resource(attributes: Attributes(resource)),
                    scopeSpans: (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                        ScopeSpans(
                            scope: InstrumentationScope(name: "lib"),
                            spans: (0..<Int.random(in: 0...20, using: &rng)).map { i in
                                var attributes: Attributes = [:]
                                switch i % 4 {
                                case 0: attributes = ["http.method": .string("GET"), "dup": .bool(true)]
                                case 1: attributes = ["http.method": .int(Int64(i)), "region": .string("span-level")]
                                case 2: attributes = ["http.method": .array([.string("a"), .double(1.5)])]
                                default: break
                                }
                                return Span(
                                    traceID: TraceID(high: UInt64(i), low: 9), spanID: SpanID(value: UInt64(i + 1)),
                                    name: "op\(Int.random(in: 0..<5, using: &rng))",
                                    kind: SpanKind(rawValue: Int32.random(in: 0...5, using: &rng)),
                                    startTimeUnixNano: 1_000_000_000,
                                    endTimeUnixNano: 1_000_000_000 + UInt64.random(in: 0..<3_000_000_000, using: &rng),
                                    attributes: attributes,
                                    status: SpanStatus(
                                        code: SpanStatus.Code(rawValue: Int32.random(in: 0...2, using: &rng))))
                            })
                    })
            })
    }

    @Test(arguments: [20_000, 12]) func wireAndModelGiveTheSameMetrics(maxSeries: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let settings = SpanMetricsConnector.Settings(
            dimensions: [
                .init(name: "http.method"), .init(name: "region"), .init(name: "missing", defaultValue: "none"),
                .init(name: "absent"),
            ], exemplars: true, maxSeries: maxSeries)
        let (modelSink, wireSink) = (MetricsSink(), MetricsSink())
        let (model, wire) = (connector(settings, sink: modelSink), connector(settings, sink: wireSink))
        for _ in 0..<20 {
            let traces = Self.randomTraces(&rng)
            let encoded = try OTLPProtobuf.encode(traces).withUnsafeBytes { try OTLPProtobuf.wireTraces($0) }
            #expect(encoded.wire != nil)
            _ = try model.consume(traces)
            _ = try wire.consume(encoded)
        }
        model.flush()
        wire.flush()
        let expected = try #require(modelSink.last)
        #expect(wireSink.last == expected)
        #expect(expected.dataPointCount > 0)
    }
}
