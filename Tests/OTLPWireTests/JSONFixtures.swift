import GatewayCore
import OTLPWire
import Testing

extension Traces {
    var allSpans: [Span] { resourceSpans.flatMap { $0.scopeSpans.flatMap(\.spans) } }
}

extension Metrics {
    var allMetrics: [Metric] { resourceMetrics.flatMap { $0.scopeMetrics.flatMap(\.metrics) } }
}

extension Logs {
    var allRecords: [LogRecord] { resourceLogs.flatMap { $0.scopeLogs.flatMap(\.logRecords) } }
}

/// Helpers and rich sample data shared by the OTLP/JSON tests.
enum JSONFixtures {
    static func traces(_ json: String) throws(OTLPDecodingError) -> Traces {
        try OTLPJSON.decodeTraces(Array(json.utf8))
    }
    static func metrics(_ json: String) throws(OTLPDecodingError) -> Metrics {
        try OTLPJSON.decodeMetrics(Array(json.utf8))
    }
    static func logs(_ json: String) throws(OTLPDecodingError) -> Logs { try OTLPJSON.decodeLogs(Array(json.utf8)) }

    /// The first span, metric or log record of a decoded request; a test failure when there is none.
    static func firstSpan(_ json: String) throws -> Span { try #require(try traces(json).allSpans.first) }
    static func firstMetric(_ json: String) throws -> Metric { try #require(try metrics(json).allMetrics.first) }
    static func firstRecord(_ json: String) throws -> LogRecord { try #require(try logs(json).allRecords.first) }

    /// The message of the error `body` throws, or nil when it does not throw.
    static func errorMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as OTLPDecodingError {
            return error.message
        } catch {
            return "not an OTLPDecodingError: \(error)"
        }
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Wraps one span object in a request with one resource and one scope.
    static func request(span: String) -> String {
        #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + span + "]}]}]}"
    }

    /// Wraps one metric object in a request with one resource and one scope.
    static func request(metric: String) -> String {
        #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":["# + metric + "]}]}]}"
    }

    /// Wraps one log record object in a request with one resource and one scope.
    static func request(logRecord: String) -> String {
        #"{"resourceLogs":[{"scopeLogs":[{"logRecords":["# + logRecord + "]}]}]}"
    }

    static let traceID = TraceID(high: 0x5b8e_fff7_9803_8103, low: 0xd269_b633_813f_c60c)
    static let otherTraceID = TraceID(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10)
    static let spanID = SpanID(value: 0xeee1_9b7e_c3c1_b174)
    static let parentSpanID = SpanID(value: 0xeee1_9b7e_c3c1_b173)

    /// Every kind of AnyValue, nested too.
    static let everyValueKind: Attributes = [
        "string": .string("text with \"quotes\", \\ and \n newline, ünïcödé, 😀"),
        "bool": .bool(true),
        "int": .int(-9_223_372_036_854_775_808),
        "double": .double(0.1),
        "bytes": .bytes([0x00, 0xFF, 0x10, 0x80, 0x7F]),
        "array": .array([.string("a"), .int(1), .double(2.5), .bool(false), .empty, .array([.int(7)])]),
        "kvlist": .keyValueList([
            Attribute(key: "z", value: .string("first")),
            Attribute(key: "a", value: .keyValueList([Attribute(key: "inner", value: .bytes([]))])),
        ]),
        "empty": .empty,
    ]

    static let resource = Resource(
        attributes: ["service.name": .string("checkout"), "host.id": .int(42)],
        droppedAttributesCount: 3
    )

    static let scope = InstrumentationScope(
        name: "my.library",
        version: "1.0.0",
        attributes: ["my.scope.attribute": .string("some scope attribute")],
        droppedAttributesCount: 1
    )

    static let richTraces = Traces(resourceSpans: [
        ResourceSpans(
            resource: resource,
            scopeSpans: [
                ScopeSpans(
                    scope: scope,
                    spans: [
                        Span(
                            traceID: traceID,
                            spanID: spanID,
                            traceState: "vendor=value",
                            parentSpanID: parentSpanID,
                            flags: 0x301,
                            name: "GET /cart",
                            kind: .server,
                            startTimeUnixNano: 1_544_712_660_000_000_000,
                            endTimeUnixNano: 18_446_744_073_709_551_615,
                            attributes: everyValueKind,
                            droppedAttributesCount: 4,
                            events: [
                                SpanEvent(
                                    timeUnixNano: 1_544_712_660_500_000_000, name: "exception",
                                    attributes: ["exception.message": .string("boom")], droppedAttributesCount: 2),
                                SpanEvent(timeUnixNano: 0, name: ""),
                            ],
                            droppedEventsCount: 5,
                            links: [
                                SpanLink(
                                    traceID: otherTraceID, spanID: SpanID(value: 1), traceState: "a=b",
                                    attributes: ["link.kind": .string("follows")], droppedAttributesCount: 6, flags: 1),
                                SpanLink(traceID: .invalid, spanID: .invalid),
                            ],
                            droppedLinksCount: 7,
                            status: SpanStatus(code: .error, message: "it broke")
                        ),
                        Span(traceID: otherTraceID, spanID: SpanID(value: 2), name: "minimal", kind: .unspecified),
                        Span(
                            traceID: traceID, spanID: SpanID(value: 3), name: "ok", kind: SpanKind(rawValue: 9),
                            status: SpanStatus(code: .ok)),
                    ],
                    schemaURL: "https://opentelemetry.io/schemas/1.24.0"
                ),
                ScopeSpans(),
            ],
            schemaURL: "https://opentelemetry.io/schemas/1.21.0"
        ),
        ResourceSpans(),
    ])

    static let exemplars = [
        Exemplar(
            filteredAttributes: ["user": .string("u1")], timeUnixNano: 1_700_000_000_000_000_001,
            value: .double(0.25), spanID: spanID, traceID: traceID),
        Exemplar(timeUnixNano: 5, value: .int(-3)),
    ]

    static let richMetrics = Metrics(resourceMetrics: [
        ResourceMetrics(
            resource: resource,
            scopeMetrics: [
                ScopeMetrics(
                    scope: scope,
                    metrics: [
                        Metric(
                            name: "queue.depth", description: "items waiting", unit: "{item}",
                            data: .gauge([
                                NumberDataPoint(
                                    attributes: ["queue": .string("a")], startTimeUnixNano: 10, timeUnixNano: 20,
                                    value: .int(-12), exemplars: exemplars),
                                NumberDataPoint(timeUnixNano: 21, value: .double(1.5e-7), flags: .noRecordedValue),
                            ]),
                            metadata: ["source": .string("sdk")]
                        ),
                        Metric(
                            name: "requests", unit: "1",
                            data: .sum(
                                Sum(
                                    dataPoints: [NumberDataPoint(timeUnixNano: 30, value: .int(9_007_199_254_740_993))],
                                    temporality: .cumulative, isMonotonic: true))
                        ),
                        Metric(
                            name: "temperature.delta",
                            data: .sum(
                                Sum(
                                    dataPoints: [NumberDataPoint(timeUnixNano: 31, value: .double(-0.5))],
                                    temporality: .delta, isMonotonic: false))
                        ),
                        Metric(
                            name: "latency", unit: "ms",
                            data: .histogram(
                                Histogram(
                                    dataPoints: [
                                        HistogramDataPoint(
                                            attributes: ["route": .string("/")], startTimeUnixNano: 1, timeUnixNano: 2,
                                            count: 6, sum: 123.25, bucketCounts: [1, 2, 3],
                                            explicitBounds: [10, 100.5],
                                            exemplars: exemplars, flags: [], min: 0.5, max: 99.75),
                                        HistogramDataPoint(timeUnixNano: 3, count: 0),
                                    ],
                                    temporality: .delta))
                        ),
                        Metric(
                            name: "size",
                            data: .exponentialHistogram(
                                ExponentialHistogram(
                                    dataPoints: [
                                        ExponentialHistogramDataPoint(
                                            attributes: ["k": .bool(true)], startTimeUnixNano: 4, timeUnixNano: 5,
                                            count: 11, sum: 42.5, scale: -3, zeroCount: 2,
                                            positive: .init(offset: -2, bucketCounts: [1, 0, 4]),
                                            negative: .init(offset: 3, bucketCounts: [2, 2]),
                                            flags: .noRecordedValue, exemplars: exemplars, min: -8, max: 20,
                                            zeroThreshold: 1e-9),
                                        ExponentialHistogramDataPoint(timeUnixNano: 6, count: 0, scale: 20),
                                    ],
                                    temporality: .cumulative))
                        ),
                        Metric(
                            name: "rpc.duration",
                            data: .summary([
                                SummaryDataPoint(
                                    attributes: ["method": .string("Get")], startTimeUnixNano: 7, timeUnixNano: 8,
                                    count: 100, sum: 2.5,
                                    quantileValues: [
                                        .init(quantile: 0, value: 0.001), .init(quantile: 0.99, value: 1.25),
                                    ],
                                    flags: []),
                                SummaryDataPoint(timeUnixNano: 9, count: 0, sum: 0),
                            ])
                        ),
                        Metric(name: "no.data", data: .empty),
                        Metric(name: "empty.gauge", data: .gauge([])),
                    ],
                    schemaURL: "https://opentelemetry.io/schemas/1.24.0"
                )
            ],
            schemaURL: "s"
        )
    ])

    static let richLogs = Logs(resourceLogs: [
        ResourceLogs(
            resource: resource,
            scopeLogs: [
                ScopeLogs(
                    scope: scope,
                    logRecords: [
                        LogRecord(
                            timeUnixNano: 1_544_712_660_300_000_000,
                            observedTimeUnixNano: 1_544_712_660_300_000_001,
                            severityNumber: 17,
                            severityText: "ERROR",
                            body: .keyValueList([
                                Attribute(key: "message", value: .string("payment failed")),
                                Attribute(key: "amount", value: .double(12.5)),
                                Attribute(key: "items", value: .array([.int(1), .int(2)])),
                            ]),
                            attributes: everyValueKind,
                            droppedAttributesCount: 2,
                            flags: 1,
                            traceID: traceID,
                            spanID: spanID,
                            eventName: "payment.failure"
                        ),
                        LogRecord(body: .string("plain")),
                        LogRecord(),
                    ],
                    schemaURL: "https://opentelemetry.io/schemas/1.24.0"
                )
            ],
            schemaURL: "r"
        )
    ])
}
