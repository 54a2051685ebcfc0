import GatewayCore

/// Rich model values covering every field, shared by the wire tests.
enum Fixtures {
    static let traceID = TraceID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
    static let resource = Resource(
        attributes: ["service.name": .string("svc"), "host.cores": .int(2)], droppedAttributesCount: 1)

    static var traces: Traces {
        let span = Span(
            traceID: traceID, spanID: SpanID(value: 0xAABB_CCDD_EEFF_0011), traceState: "k=v",
            parentSpanID: SpanID(value: 42), flags: 0x101, name: "GET /x", kind: .server,
            startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: 1_700_000_000_500_000_000,
            attributes: [
                "s": .string("é"), "b": .bool(true), "i": .int(-5), "d": .double(2.5), "bytes": .bytes([0, 255]),
                "arr": .array([.int(1), .string("two")]),
                "kv": .keyValueList([Attribute(key: "inner", value: .bool(false))]),
                "empty": .empty,
            ],
            droppedAttributesCount: 3,
            events: [SpanEvent(timeUnixNano: 5, name: "ev", attributes: ["e": .int(1)], droppedAttributesCount: 1)],
            droppedEventsCount: 2,
            links: [
                SpanLink(
                    traceID: TraceID(high: 9, low: 9), spanID: SpanID(value: 9), traceState: "a=b",
                    attributes: ["l": .double(1)], droppedAttributesCount: 4, flags: 1)
            ],
            droppedLinksCount: 5,
            status: SpanStatus(code: .error, message: "boom")
        )
        let plain = Span(traceID: traceID, spanID: SpanID(value: 7), name: "child")
        return Traces(resourceSpans: [
            ResourceSpans(
                resource: resource,
                scopeSpans: [
                    ScopeSpans(
                        scope: InstrumentationScope(
                            name: "lib", version: "1.0", attributes: ["x": .int(1)], droppedAttributesCount: 2),
                        spans: [span, plain], schemaURL: "https://s/1")
                ], schemaURL: "https://r/1"),
            ResourceSpans(resource: Resource(), scopeSpans: [ScopeSpans(spans: [plain])]),
        ])
    }

    static var metrics: Metrics {
        let attrs: Attributes = ["model_name": .string("m")]
        let metrics: [Metric] = [
            Metric(
                name: "g", description: "a gauge", unit: "1",
                data: .gauge([
                    NumberDataPoint(attributes: attrs, timeUnixNano: 10, value: .double(0.5), flags: .noRecordedValue),
                    NumberDataPoint(
                        timeUnixNano: 11, value: .int(-3),
                        exemplars: [
                            Exemplar(
                                filteredAttributes: ["f": .int(1)], timeUnixNano: 9, value: .int(4),
                                spanID: SpanID(value: 1), traceID: traceID)
                        ]),
                ])),
            Metric(
                name: "s", unit: "By",
                data: .sum(
                    Sum(
                        dataPoints: [
                            NumberDataPoint(attributes: attrs, startTimeUnixNano: 1, timeUnixNano: 12, value: .int(0))
                        ], temporality: .delta, isMonotonic: true))),
            Metric(
                name: "h", unit: "ms",
                data: .histogram(
                    Histogram(
                        dataPoints: [
                            HistogramDataPoint(
                                attributes: attrs, startTimeUnixNano: 1, timeUnixNano: 13, count: 6, sum: 0,
                                bucketCounts: [1, 2, 3], explicitBounds: [1, 10], min: 0.5, max: 20),
                            HistogramDataPoint(timeUnixNano: 14, count: 0),
                        ], temporality: .cumulative))),
            Metric(
                name: "eh",
                data: .exponentialHistogram(
                    ExponentialHistogram(
                        dataPoints: [
                            ExponentialHistogramDataPoint(
                                attributes: attrs, startTimeUnixNano: 1, timeUnixNano: 15, count: 10, sum: 12.5,
                                scale: -2, zeroCount: 1,
                                positive: .init(offset: -3, bucketCounts: [1, 0, 4]),
                                negative: .init(offset: 2, bucketCounts: [4]), min: -1, max: 9, zeroThreshold: 1e-9)
                        ], temporality: .delta))),
            Metric(
                name: "sm",
                data: .summary([
                    SummaryDataPoint(
                        attributes: attrs, startTimeUnixNano: 1, timeUnixNano: 16, count: 3, sum: 7.5,
                        quantileValues: [.init(quantile: 0, value: 1), .init(quantile: 0.99, value: 5)])
                ]), metadata: ["meta": .string("x")]),
            Metric(name: "nodata", data: .empty),
        ]
        return Metrics(resourceMetrics: [
            ResourceMetrics(
                resource: resource,
                scopeMetrics: [
                    ScopeMetrics(scope: InstrumentationScope(name: "meter"), metrics: metrics, schemaURL: "u")
                ], schemaURL: "r")
        ])
    }

    static var logs: Logs {
        Logs(resourceLogs: [
            ResourceLogs(
                resource: resource,
                scopeLogs: [
                    ScopeLogs(
                        scope: InstrumentationScope(name: "logger"),
                        logRecords: [
                            LogRecord(
                                timeUnixNano: 1, observedTimeUnixNano: 2, severityNumber: 9, severityText: "INFO",
                                body: .keyValueList([Attribute(key: "msg", value: .string("hello"))]),
                                attributes: ["a": .int(1)],
                                droppedAttributesCount: 1, flags: 1, traceID: traceID, spanID: SpanID(value: 3),
                                eventName: "evt"),
                            LogRecord(body: .string("plain")),
                        ])
                ])
        ])
    }
}
