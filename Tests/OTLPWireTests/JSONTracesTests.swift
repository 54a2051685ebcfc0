import GatewayCore
import OTLPWire
import Testing

@Suite struct JSONTracesTests {
    /// Shaped like the OTLP specification's `examples/trace.json`, with every field set.
    static let realistic = #"""
        {
          "resourceSpans": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my.service" } }
                ],
                "droppedAttributesCount": 1
              },
              "scopeSpans": [
                {
                  "scope": {
                    "name": "my.library",
                    "version": "1.0.0",
                    "attributes": [
                      { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                    ]
                  },
                  "spans": [
                    {
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174",
                      "parentSpanId": "eee19b7ec3c1b173",
                      "traceState": "rojo=00f067aa0ba902b7",
                      "flags": 257,
                      "name": "I'm a server span",
                      "startTimeUnixNano": "1544712660000000000",
                      "endTimeUnixNano": "1544712661000000000",
                      "kind": 2,
                      "attributes": [
                        { "key": "my.span.attr", "value": { "stringValue": "some value" } },
                        { "key": "http.status_code", "value": { "intValue": "200" } },
                        { "key": "ratio", "value": { "doubleValue": 0.75 } },
                        { "key": "sampled", "value": { "boolValue": true } },
                        { "key": "payload", "value": { "bytesValue": "AP8QgH8=" } },
                        { "key": "tags", "value": { "arrayValue": { "values": [
                          { "stringValue": "a" }, { "intValue": 2 }, { "arrayValue": {} }
                        ] } } },
                        { "key": "map", "value": { "kvlistValue": { "values": [
                          { "key": "z", "value": { "boolValue": false } },
                          { "key": "a", "value": { "doubleValue": -1.5e3 } }
                        ] } } },
                        { "key": "nothing", "value": {} }
                      ],
                      "droppedAttributesCount": 2,
                      "events": [
                        {
                          "timeUnixNano": "1544712660500000000",
                          "name": "exception",
                          "attributes": [
                            { "key": "exception.message", "value": { "stringValue": "boom" } }
                          ],
                          "droppedAttributesCount": 3
                        }
                      ],
                      "droppedEventsCount": 4,
                      "links": [
                        {
                          "traceId": "0102030405060708090a0b0c0d0e0f10",
                          "spanId": "0000000000000001",
                          "traceState": "a=b",
                          "attributes": [
                            { "key": "link.kind", "value": { "stringValue": "follows" } }
                          ],
                          "droppedAttributesCount": 5,
                          "flags": 1
                        }
                      ],
                      "droppedLinksCount": 6,
                      "status": { "code": 2, "message": "it broke" }
                    }
                  ],
                  "schemaUrl": "https://opentelemetry.io/schemas/1.24.0"
                }
              ],
              "schemaUrl": "https://opentelemetry.io/schemas/1.21.0"
            }
          ]
        }
        """#

    static let realisticSpan = Span(
        traceID: JSONFixtures.traceID,
        spanID: JSONFixtures.spanID,
        traceState: "rojo=00f067aa0ba902b7",
        parentSpanID: JSONFixtures.parentSpanID,
        flags: 257,
        name: "I'm a server span",
        kind: .server,
        startTimeUnixNano: 1_544_712_660_000_000_000,
        endTimeUnixNano: 1_544_712_661_000_000_000,
        attributes: [
            "my.span.attr": .string("some value"),
            "http.status_code": .int(200),
            "ratio": .double(0.75),
            "sampled": .bool(true),
            "payload": .bytes([0x00, 0xFF, 0x10, 0x80, 0x7F]),
            "tags": .array([.string("a"), .int(2), .array([])]),
            "map": .keyValueList([
                Attribute(key: "z", value: .bool(false)), Attribute(key: "a", value: .double(-1500)),
            ]),
            "nothing": .empty,
        ],
        droppedAttributesCount: 2,
        events: [
            SpanEvent(
                timeUnixNano: 1_544_712_660_500_000_000, name: "exception",
                attributes: ["exception.message": .string("boom")], droppedAttributesCount: 3)
        ],
        droppedEventsCount: 4,
        links: [
            SpanLink(
                traceID: JSONFixtures.otherTraceID, spanID: SpanID(value: 1), traceState: "a=b",
                attributes: ["link.kind": .string("follows")], droppedAttributesCount: 5, flags: 1)
        ],
        droppedLinksCount: 6,
        status: SpanStatus(code: .error, message: "it broke")
    )

    static let realisticTraces = Traces(resourceSpans: [
        ResourceSpans(
            resource: Resource(attributes: ["service.name": .string("my.service")], droppedAttributesCount: 1),
            scopeSpans: [
                ScopeSpans(
                    scope: InstrumentationScope(
                        name: "my.library", version: "1.0.0",
                        attributes: ["my.scope.attribute": .string("some scope attribute")]),
                    spans: [realisticSpan],
                    schemaURL: "https://opentelemetry.io/schemas/1.24.0"
                )
            ],
            schemaURL: "https://opentelemetry.io/schemas/1.21.0"
        )
    ])

    @Test func decodesRealisticRequest() throws {
        let traces = try JSONFixtures.traces(Self.realistic)
        #expect(traces.spanCount == 1)
        let span = try #require(traces.resourceSpans.first?.scopeSpans.first?.spans.first)
        #expect(span.traceID.description == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID.description == "eee19b7ec3c1b174")
        #expect(span.parentSpanID == JSONFixtures.parentSpanID)
        #expect(span.kind == .server)
        #expect(span.startTimeUnixNano == 1_544_712_660_000_000_000)
        #expect(span.attributes["payload"] == .bytes([0x00, 0xFF, 0x10, 0x80, 0x7F]))
        #expect(span.attributes["tags"] == .array([.string("a"), .int(2), .array([])]))
        #expect(span.events == Self.realisticSpan.events)
        #expect(span.links == Self.realisticSpan.links)
        #expect(span.status == SpanStatus(code: .error, message: "it broke"))
        // Every other field, through the model's equality.
        #expect(span == Self.realisticSpan)
        #expect(traces == Self.realisticTraces)
    }

    @Test func acceptsProtoFieldNames() throws {
        let snake = #"""
            {"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"my.service"}}],
            "dropped_attributes_count":1},"scope_spans":[{"scope":{"name":"my.library","version":"1.0.0",
            "attributes":[{"key":"my.scope.attribute","value":{"string_value":"some scope attribute"}}]},
            "spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
            "parent_span_id":"eee19b7ec3c1b173","trace_state":"rojo=00f067aa0ba902b7","flags":257,
            "name":"I'm a server span","start_time_unix_nano":"1544712660000000000",
            "end_time_unix_nano":"1544712661000000000","kind":2,
            "attributes":[{"key":"my.span.attr","value":{"string_value":"some value"}},
            {"key":"http.status_code","value":{"int_value":"200"}},{"key":"ratio","value":{"double_value":0.75}},
            {"key":"sampled","value":{"bool_value":true}},{"key":"payload","value":{"bytes_value":"AP8QgH8="}},
            {"key":"tags","value":{"array_value":{"values":[{"string_value":"a"},{"int_value":2},{"array_value":{}}]}}},
            {"key":"map","value":{"kvlist_value":{"values":[{"key":"z","value":{"bool_value":false}},
            {"key":"a","value":{"double_value":-1500}}]}}},{"key":"nothing","value":{}}],
            "dropped_attributes_count":2,"events":[{"time_unix_nano":"1544712660500000000","name":"exception",
            "attributes":[{"key":"exception.message","value":{"string_value":"boom"}}],"dropped_attributes_count":3}],
            "dropped_events_count":4,"links":[{"trace_id":"0102030405060708090a0b0c0d0e0f10",
            "span_id":"0000000000000001","trace_state":"a=b","attributes":[{"key":"link.kind",
            "value":{"string_value":"follows"}}],"dropped_attributes_count":5,"flags":1}],"dropped_links_count":6,
            "status":{"code":2,"message":"it broke"}}],"schema_url":"https://opentelemetry.io/schemas/1.24.0"}],
            "schema_url":"https://opentelemetry.io/schemas/1.21.0"}]}
            """#
        #expect(try JSONFixtures.traces(snake) == Self.realisticTraces)
    }

    @Test func acceptsEnumNames() throws {
        let traces = try JSONFixtures.traces(
            JSONFixtures.request(
                span: #"""
                    {"name":"a","kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_ERROR"}},
                    {"name":"b","kind":"SPAN_KIND_UNSPECIFIED","status":{"code":"STATUS_CODE_OK"}},
                    {"name":"c","kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_UNSET"}},
                    {"name":"d","kind":7,"status":{"code":5}}
                    """#))
        let spans = traces.allSpans
        #expect(spans.map(\.kind) == [.consumer, .unspecified, .server, SpanKind(rawValue: 7)])
        #expect(spans.map(\.status.code) == [.error, .ok, .unset, SpanStatus.Code(rawValue: 5)])
    }

    @Test func absentFieldsTakeProtobufDefaults() throws {
        let span = try JSONFixtures.firstSpan(JSONFixtures.request(span: "{}"))
        // The model's initialiser defaults kind to internal; the wire default is unspecified.
        #expect(span == Span(traceID: .invalid, spanID: .invalid, name: "", kind: .unspecified))
    }

    @Test func nullMeansDefault() throws {
        let span = try JSONFixtures.firstSpan(
            JSONFixtures.request(
                span: #"""
                    {"traceId":null,"spanId":"","name":null,"kind":null,"startTimeUnixNano":null,"attributes":null,
                     "events":null,"links":[{"traceId":"","spanId":null}],"status":null,"flags":null}
                    """#)
        )
        #expect(
            span
                == Span(
                    traceID: .invalid, spanID: .invalid, name: "", kind: .unspecified,
                    links: [SpanLink(traceID: .invalid, spanID: .invalid)]))
    }

    @Test func nullLeavesOneofsAndOptionalsUnset() throws {
        let json = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":null}}]}}]}"#
        #expect(try JSONFixtures.traces(json).resourceSpans.first?.resource.attributes["k"] == .empty)
        let metric = try JSONFixtures.firstMetric(
            JSONFixtures.request(metric: #"{"name":"m","gauge":{"dataPoints":[{"asInt":"3","asDouble":null}]}}"#))
        #expect(metric.data == .gauge([NumberDataPoint(timeUnixNano: 0, value: .int(3))]))
    }

    @Test func roundTripsRichSample() throws {
        let bytes = OTLPJSON.encodeTraces(JSONFixtures.richTraces)
        let decoded = try OTLPJSON.decodeTraces(bytes)
        #expect(decoded == JSONFixtures.richTraces)
        // Encoding is deterministic.
        #expect(OTLPJSON.encodeTraces(decoded) == bytes)
    }

    @Test func roundTripsRealisticRequest() throws {
        #expect(try OTLPJSON.decodeTraces(OTLPJSON.encodeTraces(Self.realisticTraces)) == Self.realisticTraces)
    }

    @Test func encodesExactBytes() {
        let traces = Traces(resourceSpans: [
            ResourceSpans(scopeSpans: [
                ScopeSpans(
                    scope: InstrumentationScope(name: "lib"),
                    spans: [
                        Span(
                            traceID: JSONFixtures.traceID, spanID: JSONFixtures.spanID, parentSpanID: SpanID(value: 10),
                            name: "s", kind: .client, startTimeUnixNano: 1, endTimeUnixNano: 2,
                            attributes: ["n": .int(-1), "d": .double(2)],
                            status: SpanStatus(code: .error))
                    ])
            ])
        ])
        let expected =
            #"{"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{"name":"lib"},"spans":[{"#
            + #""traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","#
            + #""parentSpanId":"000000000000000a","name":"s","kind":3,"startTimeUnixNano":"1","endTimeUnixNano":"2","#
            + #""attributes":[{"key":"d","value":{"doubleValue":2}},{"key":"n","value":{"intValue":"-1"}}],"#
            + #""status":{"code":2}}]}]}]}"#
        #expect(JSONFixtures.text(OTLPJSON.encodeTraces(traces)) == expected)
    }

    @Test func encodesEmptyRequestAsEmptyObject() {
        #expect(JSONFixtures.text(OTLPJSON.encodeTraces(Traces())) == "{}")
    }

    @Test func emptyBodiesAreEmptyRequests() throws {
        #expect(try OTLPJSON.decodeTraces([UInt8]()) == Traces())
        #expect(try JSONFixtures.traces(" \n\t ") == Traces())
        #expect(try JSONFixtures.traces("{}") == Traces())
        #expect(try JSONFixtures.traces("null") == Traces())
        #expect(try JSONFixtures.traces(#"{"resourceSpans":[]}"#) == Traces())
        #expect(try OTLPJSON.decodeTraces(UnsafeRawBufferPointer(start: nil, count: 0)) == Traces())
    }

    @Test func decodesFromRawBufferAndNonContiguousCollections() throws {
        let bytes = Array(Self.realistic.utf8)
        let fromBuffer = try bytes.withUnsafeBytes { (raw) throws(OTLPDecodingError) in try OTLPJSON.decodeTraces(raw) }
        #expect(fromBuffer == Self.realisticTraces)
        // A lazy map has no contiguous storage, so this goes through the copying path.
        #expect(try OTLPJSON.decodeTraces(bytes.lazy.map { $0 }) == Self.realisticTraces)
        #expect(try OTLPJSON.decodeTraces(bytes[...]) == Self.realisticTraces)
    }

    @Test func idsAcceptEitherCase() throws {
        let span = try JSONFixtures.firstSpan(
            JSONFixtures.request(span: #"{"traceId":"5b8EFFF798038103d269B633813FC60c","spanId":"eEe19b7ec3c1B174"}"#)
        )
        #expect(span.traceID == JSONFixtures.traceID)
        #expect(span.spanID == JSONFixtures.spanID)
    }
}
