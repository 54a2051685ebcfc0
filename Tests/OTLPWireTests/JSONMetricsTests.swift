import GatewayCore
import OTLPWire
import Testing

@Suite struct JSONMetricsTests {
    /// Shaped like the OTLP specification's `examples/metrics.json`, extended to all five kinds.
    static let realistic = #"""
        {
          "resourceMetrics": [
            {
              "resource": {
                "attributes": [ { "key": "service.name", "value": { "stringValue": "my.service" } } ]
              },
              "scopeMetrics": [
                {
                  "scope": { "name": "my.library", "version": "1.0.0" },
                  "metrics": [
                    {
                      "name": "my.counter",
                      "unit": "1",
                      "description": "I am a Counter",
                      "sum": {
                        "aggregationTemporality": 1,
                        "isMonotonic": true,
                        "dataPoints": [
                          {
                            "asDouble": 5,
                            "startTimeUnixNano": "1544712660300000000",
                            "timeUnixNano": "1544712660300000000",
                            "attributes": [ { "key": "my.counter.attr", "value": { "stringValue": "some value" } } ]
                          }
                        ]
                      }
                    },
                    {
                      "name": "my.cumulative.updown",
                      "sum": {
                        "aggregationTemporality": 2,
                        "dataPoints": [ { "asInt": "-7", "timeUnixNano": "1544712660300000000" } ]
                      }
                    },
                    {
                      "name": "my.gauge",
                      "unit": "1",
                      "description": "I am a Gauge",
                      "gauge": {
                        "dataPoints": [
                          { "asDouble": 10, "timeUnixNano": "1544712660300000000" },
                          { "asInt": 3, "timeUnixNano": 1544712660300000001, "flags": 1,
                            "exemplars": [
                              { "filteredAttributes": [ { "key": "user", "value": { "stringValue": "u1" } } ],
                                "timeUnixNano": "1544712660300000000", "asDouble": 0.5,
                                "spanId": "eee19b7ec3c1b174", "traceId": "5b8efff798038103d269b633813fc60c" },
                              { "timeUnixNano": "1", "asInt": "9" }
                            ] }
                        ]
                      },
                      "metadata": [ { "key": "origin", "value": { "stringValue": "sdk" } } ]
                    },
                    {
                      "name": "my.histogram",
                      "unit": "1",
                      "description": "I am a Histogram",
                      "histogram": {
                        "aggregationTemporality": 1,
                        "dataPoints": [
                          {
                            "startTimeUnixNano": "1544712660300000000",
                            "timeUnixNano": "1544712660300000000",
                            "count": 2,
                            "sum": 2,
                            "bucketCounts": [1, "1"],
                            "explicitBounds": [1],
                            "min": 0,
                            "max": 2
                          },
                          {
                            "timeUnixNano": "1544712660300000000",
                            "count": "3",
                            "bucketCounts": ["0", "2", "1"],
                            "explicitBounds": [0.5, 2.5]
                          }
                        ]
                      }
                    },
                    {
                      "name": "my.exponential.histogram",
                      "exponentialHistogram": {
                        "aggregationTemporality": 2,
                        "dataPoints": [
                          {
                            "startTimeUnixNano": "1544712660300000000",
                            "timeUnixNano": "1544712660300000000",
                            "count": 6,
                            "sum": -3.5,
                            "scale": -2,
                            "zeroCount": "1",
                            "zeroThreshold": 0.001,
                            "positive": { "offset": -1, "bucketCounts": [ "1", "2" ] },
                            "negative": { "offset": 4, "bucketCounts": [ 2 ] },
                            "min": -4,
                            "max": 1.5
                          }
                        ]
                      }
                    },
                    {
                      "name": "my.summary",
                      "summary": {
                        "dataPoints": [
                          {
                            "timeUnixNano": "1544712660300000000",
                            "count": "10",
                            "sum": 12.5,
                            "quantileValues": [ { "quantile": 0.5, "value": 1 }, { "quantile": 0.99, "value": 4.75 } ]
                          }
                        ]
                      }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """#

    static let t: UInt64 = 1_544_712_660_300_000_000

    static let realisticMetrics = Metrics(resourceMetrics: [
        ResourceMetrics(
            resource: Resource(attributes: ["service.name": .string("my.service")]),
            scopeMetrics: [
                ScopeMetrics(
                    scope: InstrumentationScope(name: "my.library", version: "1.0.0"),
                    metrics: [
                        Metric(
                            name: "my.counter", description: "I am a Counter", unit: "1",
                            data: .sum(
                                Sum(
                                    dataPoints: [
                                        NumberDataPoint(
                                            attributes: ["my.counter.attr": .string("some value")],
                                            startTimeUnixNano: t, timeUnixNano: t, value: .double(5))
                                    ],
                                    temporality: .delta, isMonotonic: true))),
                        Metric(
                            name: "my.cumulative.updown",
                            data: .sum(
                                Sum(
                                    dataPoints: [NumberDataPoint(timeUnixNano: t, value: .int(-7))],
                                    temporality: .cumulative, isMonotonic: false))),
                        Metric(
                            name: "my.gauge", description: "I am a Gauge", unit: "1",
                            data: .gauge([
                                NumberDataPoint(timeUnixNano: t, value: .double(10)),
                                NumberDataPoint(
                                    timeUnixNano: t + 1, value: .int(3),
                                    exemplars: [
                                        Exemplar(
                                            filteredAttributes: ["user": .string("u1")], timeUnixNano: t,
                                            value: .double(0.5), spanID: JSONFixtures.spanID,
                                            traceID: JSONFixtures.traceID),
                                        Exemplar(timeUnixNano: 1, value: .int(9)),
                                    ],
                                    flags: .noRecordedValue),
                            ]),
                            metadata: ["origin": .string("sdk")]),
                        Metric(
                            name: "my.histogram", description: "I am a Histogram", unit: "1",
                            data: .histogram(
                                Histogram(
                                    dataPoints: [
                                        HistogramDataPoint(
                                            startTimeUnixNano: t, timeUnixNano: t, count: 2, sum: 2,
                                            bucketCounts: [1, 1], explicitBounds: [1], min: 0, max: 2),
                                        HistogramDataPoint(
                                            timeUnixNano: t, count: 3, sum: nil, bucketCounts: [0, 2, 1],
                                            explicitBounds: [0.5, 2.5], min: nil, max: nil),
                                    ],
                                    temporality: .delta))),
                        Metric(
                            name: "my.exponential.histogram",
                            data: .exponentialHistogram(
                                ExponentialHistogram(
                                    dataPoints: [
                                        ExponentialHistogramDataPoint(
                                            startTimeUnixNano: t, timeUnixNano: t, count: 6, sum: -3.5, scale: -2,
                                            zeroCount: 1, positive: .init(offset: -1, bucketCounts: [1, 2]),
                                            negative: .init(offset: 4, bucketCounts: [2]), min: -4, max: 1.5,
                                            zeroThreshold: 0.001)
                                    ],
                                    temporality: .cumulative))),
                        Metric(
                            name: "my.summary",
                            data: .summary([
                                SummaryDataPoint(
                                    timeUnixNano: t, count: 10, sum: 12.5,
                                    quantileValues: [
                                        .init(quantile: 0.5, value: 1), .init(quantile: 0.99, value: 4.75),
                                    ])
                            ])),
                    ]
                )
            ]
        )
    ])

    @Test func decodesAllFiveKinds() throws {
        let metrics = try JSONFixtures.metrics(Self.realistic)
        let decoded = metrics.allMetrics
        try #require(decoded.count == 6)
        #expect(
            decoded.map(\.data.kindName) == ["Sum", "Sum", "Gauge", "Histogram", "ExponentialHistogram", "Summary"])
        guard case .sum(let delta) = decoded[0].data, case .sum(let cumulative) = decoded[1].data else {
            Issue.record("expected sums")
            return
        }
        #expect(delta.temporality == .delta && delta.isMonotonic)
        #expect(cumulative.temporality == .cumulative && !cumulative.isMonotonic)
        // Int and double values stay apart.
        #expect(delta.dataPoints.first?.value == .double(5))
        #expect(cumulative.dataPoints.first?.value == .int(-7))
        guard case .histogram(let histogram) = decoded[3].data else {
            Issue.record("expected a histogram")
            return
        }
        #expect(histogram.dataPoints.first?.sum == 2)
        #expect(histogram.dataPoints[1].sum == nil)
        #expect(histogram.dataPoints[1].min == nil && histogram.dataPoints[1].max == nil)
        guard case .exponentialHistogram(let exponential) = decoded[4].data else {
            Issue.record("expected an exponential histogram")
            return
        }
        #expect(exponential.dataPoints.first?.positive == .init(offset: -1, bucketCounts: [1, 2]))
        #expect(exponential.dataPoints.first?.negative == .init(offset: 4, bucketCounts: [2]))
        #expect(exponential.dataPoints.first?.zeroCount == 1)
        guard case .summary(let summary) = decoded[5].data else {
            Issue.record("expected a summary")
            return
        }
        #expect(summary.first?.quantileValues == [.init(quantile: 0.5, value: 1), .init(quantile: 0.99, value: 4.75)])
        #expect(metrics == Self.realisticMetrics)
        #expect(metrics.dataPointCount == 8)
    }

    @Test func acceptsProtoFieldNamesAndEnumNames() throws {
        let json = #"""
            {"resource_metrics":[{"scope_metrics":[{"metrics":[
              {"name":"s","sum":{"aggregation_temporality":"AGGREGATION_TEMPORALITY_DELTA","is_monotonic":true,
               "data_points":[{"as_int":"4","start_time_unix_nano":"1","time_unix_nano":"2",
                 "exemplars":[{"filtered_attributes":[{"key":"k","value":{"int_value":"1"}}],"time_unix_nano":"3",
                   "as_double":1.5,"span_id":"0000000000000001","trace_id":"00000000000000000000000000000002"}]}]}},
              {"name":"h","histogram":{"aggregation_temporality":"AGGREGATION_TEMPORALITY_CUMULATIVE",
               "data_points":[{"count":"1","bucket_counts":["1"],"explicit_bounds":[],"time_unix_nano":"5"}]}},
              {"name":"e","exponential_histogram":{"aggregation_temporality":"AGGREGATION_TEMPORALITY_UNSPECIFIED",
               "data_points":[{"zero_count":"2","zero_threshold":0.5,"positive":{"bucket_counts":["3"]}}]}},
              {"name":"q","summary":{"data_points":[{"quantile_values":[{"quantile":1,"value":2}]}]}}
            ]}]}]}
            """#
        let expected: [Metric] = [
            Metric(
                name: "s",
                data: .sum(
                    Sum(
                        dataPoints: [
                            NumberDataPoint(
                                startTimeUnixNano: 1, timeUnixNano: 2, value: .int(4),
                                exemplars: [
                                    Exemplar(
                                        filteredAttributes: ["k": .int(1)], timeUnixNano: 3, value: .double(1.5),
                                        spanID: SpanID(value: 1), traceID: TraceID(high: 0, low: 2))
                                ])
                        ],
                        temporality: .delta, isMonotonic: true))),
            Metric(
                name: "h",
                data: .histogram(
                    Histogram(
                        dataPoints: [HistogramDataPoint(timeUnixNano: 5, count: 1, bucketCounts: [1])],
                        temporality: .cumulative))),
            Metric(
                name: "e",
                data: .exponentialHistogram(
                    ExponentialHistogram(
                        dataPoints: [
                            ExponentialHistogramDataPoint(
                                timeUnixNano: 0, count: 0, scale: 0, zeroCount: 2,
                                positive: .init(offset: 0, bucketCounts: [3]), zeroThreshold: 0.5)
                        ],
                        temporality: .unspecified))),
            Metric(
                name: "q",
                data: .summary([
                    SummaryDataPoint(timeUnixNano: 0, count: 0, sum: 0, quantileValues: [.init(quantile: 1, value: 2)])
                ])),
        ]
        #expect(try JSONFixtures.metrics(json).allMetrics == expected)
    }

    @Test func unknownTemporalityReadsAsUnspecified() throws {
        let metric = try JSONFixtures.firstMetric(
            JSONFixtures.request(metric: #"{"name":"x","histogram":{"aggregationTemporality":9}}"#)
        )
        #expect(metric.data == .histogram(Histogram(dataPoints: [], temporality: .unspecified)))
    }

    @Test func pointWithoutValueReadsAsDoubleZero() throws {
        let metric = try JSONFixtures.firstMetric(
            JSONFixtures.request(metric: #"{"name":"x","gauge":{"dataPoints":[{"timeUnixNano":"1"}]}}"#)
        )
        #expect(metric.data == .gauge([NumberDataPoint(timeUnixNano: 1, value: .double(0))]))
    }

    @Test func nullOptionalDoublesStayAbsent() throws {
        let metric = try JSONFixtures.firstMetric(
            JSONFixtures.request(
                metric: #"{"name":"x","histogram":{"dataPoints":[{"count":"0","sum":null,"min":null,"max":null}]}}"#)
        )
        guard case .histogram(let histogram) = metric.data else {
            Issue.record("expected a histogram, got \(metric.data.kindName)")
            return
        }
        #expect(histogram.dataPoints.first?.sum == nil)
        #expect(histogram.dataPoints.first?.min == nil)
        #expect(histogram.dataPoints.first?.max == nil)
    }

    @Test func refusesBucketCountsThatDoNotMatchBounds() {
        let message = JSONFixtures.errorMessage {
            _ = try JSONFixtures.metrics(
                JSONFixtures.request(
                    metric: #"{"name":"x","histogram":{"dataPoints":[{"bucketCounts":[1,2,3],"explicitBounds":[1]}]}}"#)
            )
        }
        #expect(
            message
                == "resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0]: "
                + "3 bucket counts for 1 explicit bounds (expected bounds + 1)")
    }

    @Test func roundTripsRichSample() throws {
        let bytes = OTLPJSON.encodeMetrics(JSONFixtures.richMetrics)
        let decoded = try OTLPJSON.decodeMetrics(bytes)
        #expect(decoded == JSONFixtures.richMetrics)
        #expect(OTLPJSON.encodeMetrics(decoded) == bytes)
    }

    @Test func roundTripsRealisticRequest() throws {
        #expect(try OTLPJSON.decodeMetrics(OTLPJSON.encodeMetrics(Self.realisticMetrics)) == Self.realisticMetrics)
    }

    @Test func encodesExactBytes() {
        let metrics = Metrics(resourceMetrics: [
            ResourceMetrics(scopeMetrics: [
                ScopeMetrics(metrics: [
                    Metric(
                        name: "c", unit: "1",
                        data: .sum(
                            Sum(
                                dataPoints: [NumberDataPoint(timeUnixNano: 5, value: .int(0))],
                                temporality: .cumulative, isMonotonic: true))),
                    Metric(
                        name: "h",
                        data: .histogram(
                            Histogram(
                                dataPoints: [
                                    HistogramDataPoint(
                                        timeUnixNano: 6, count: 3, sum: 0.5, bucketCounts: [1, 2], explicitBounds: [1.5]
                                    )
                                ],
                                temporality: .delta))),
                ])
            ])
        ])
        let expected =
            #"{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"scope":{},"metrics":["#
            + #"{"name":"c","unit":"1","sum":{"dataPoints":[{"timeUnixNano":"5","asInt":"0"}],"#
            + #""aggregationTemporality":2,"isMonotonic":true}},"#
            + #"{"name":"h","histogram":{"dataPoints":[{"timeUnixNano":"6","count":"3","sum":0.5,"#
            + #""bucketCounts":["1","2"],"explicitBounds":[1.5]}],"aggregationTemporality":1}}]}]}]}"#
        #expect(JSONFixtures.text(OTLPJSON.encodeMetrics(metrics)) == expected)
    }
}
