import GatewayCore
import OTLPWire
import Testing

@testable import LoadBalancingExporter

@Suite struct RoutingTests {
    let ring = HashRing(["a:4317", "b:4317", "c:4317"])

    func span(_ trace: UInt64, _ id: UInt64) -> Span {
        Span(traceID: TraceID(high: trace, low: trace), spanID: SpanID(value: id), name: "s\(id)")
    }

    func traces(service: String, _ spans: [Span]) -> ResourceSpans {
        ResourceSpans(
            resource: Resource(attributes: ["service.name": .string(service)]),
            scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: "lib"), spans: spans)])
    }

    @Test func traceIDRoutingKeepsEachTraceWholeAndEveryResource() {
        let batch = Traces(resourceSpans: [
            traces(service: "x", (1...40).map { span($0 % 10 + 1, $0) }),
            traces(service: "y", (41...80).map { span($0 % 10 + 1, $0) }),
        ])
        let parts = batch.split(by: .traceID, ring: ring)
        #expect(parts.count > 1)
        var owner: [TraceID: String] = [:]
        var total = 0
        for (endpoint, part) in parts {
            for rs in part.resourceSpans {
                #expect(rs.scopeSpans.allSatisfy { $0.scope.name == "lib" })
                for ss in rs.scopeSpans {
                    for s in ss.spans {
                        total += 1
                        #expect(owner[s.traceID, default: endpoint] == endpoint)
                        owner[s.traceID] = endpoint
                        #expect(ring.endpoint(for: s.traceID.bytes) == endpoint)
                    }
                }
            }
        }
        #expect(total == 80)
    }

    @Test func aBatchForOneBackendIsPassedAsItIs() {
        let batch = Traces(resourceSpans: [traces(service: "x", [span(7, 1), span(7, 2)])])
        let parts = batch.split(by: .traceID, ring: ring)
        #expect(parts.count == 1)
        #expect(parts.first?.value == batch)
    }

    @Test func serviceRoutingSendsAResourceWhole() {
        let batch = Traces(resourceSpans: [traces(service: "svc-1", (1...20).map { span($0, $0) })])
        let parts = batch.split(by: .service, ring: ring)
        #expect(parts.count == 1)
        #expect(parts.keys.first == ring.endpoint(for: Array("svc-1".utf8)))
    }

    @Test func streamIDRoutingSplitsAMetricsPoints() {
        let points = (0..<30).map {
            NumberDataPoint(attributes: ["i": .int(Int64($0))], timeUnixNano: 1, value: .double(Double($0)))
        }
        let batch = Metrics(resourceMetrics: [
            ResourceMetrics(
                resource: Resource(attributes: ["service.name": .string("m")]),
                scopeMetrics: [ScopeMetrics(metrics: [Metric(name: "g", data: .gauge(points))])])
        ])
        let parts = batch.split(by: .streamID, ring: ring)
        #expect(parts.count == 3)
        #expect(parts.values.map(\.dataPointCount).reduce(0, +) == 30)
        // The same stream goes to the same backend every time.
        #expect(batch.split(by: .streamID, ring: ring).mapValues(\.dataPointCount) == parts.mapValues(\.dataPointCount))
        let byMetric = batch.split(by: .metric, ring: ring)
        #expect(byMetric.count == 1 && byMetric.first?.key == ring.endpoint(for: Array("g".utf8)))
    }
}

@Suite struct WireRoutingTests {
    let ring = HashRing(["a:4317", "b:4317", "c:4317"])

    @Test func forwardedBytesAreSplitLikeTheModelWithoutDecoding() throws {
        var spans: [Span] = []
        for i in 1...60 {
            var span = Span(
                traceID: TraceID(high: UInt64(i % 13 + 1), low: UInt64(i % 7)), spanID: SpanID(value: UInt64(i)),
                name: "s\(i)", attributes: ["i": .int(Int64(i))])
            span.events = [SpanEvent(timeUnixNano: 5, name: "e")]
            spans.append(span)
        }
        let model = Traces(resourceSpans: [
            ResourceSpans(
                resource: Resource(attributes: ["service.name": .string("x")]),
                scopeSpans: [
                    ScopeSpans(
                        scope: InstrumentationScope(name: "one"), spans: Array(spans.prefix(30)), schemaURL: "s1"),
                    ScopeSpans(scope: InstrumentationScope(name: "two"), spans: Array(spans.suffix(30))),
                ], schemaURL: "r"),
            ResourceSpans(
                resource: Resource(attributes: ["service.name": .string("y")]), scopeSpans: [ScopeSpans(spans: spans)]),
        ])
        let bytes = OTLPProtobuf.encode(model)
        let wire = try bytes.withUnsafeBytes { try OTLPProtobuf.wireTraces($0) }
        #expect(wire.wire != nil)
        let fromWire = wire.split(by: .traceID, ring: ring)
        let fromModel = model.split(by: .traceID, ring: ring)
        #expect(Set(fromWire.keys) == Set(fromModel.keys))
        for (endpoint, part) in fromWire {
            #expect(part.wire != nil, "\(endpoint) stays in wire form")
            #expect(part.spanCount == fromModel[endpoint]?.spanCount)
            // Decoding the split bytes gives exactly the model's split.
            #expect(part.resourceSpans == fromModel[endpoint]?.resourceSpans)
        }
    }
}
