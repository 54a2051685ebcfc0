import GatewayCore
import OTLPWire
import Testing

@Suite struct JSONLogsTests {
    /// Shaped like the OTLP specification's `examples/logs.json`.
    static let realistic = #"""
        {
          "resourceLogs": [
            {
              "resource": {
                "attributes": [ { "key": "service.name", "value": { "stringValue": "my.service" } } ]
              },
              "scopeLogs": [
                {
                  "scope": {
                    "name": "my.library",
                    "version": "1.0.0",
                    "attributes": [
                      { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                    ]
                  },
                  "logRecords": [
                    {
                      "timeUnixNano": "1544712660300000000",
                      "observedTimeUnixNano": "1544712660300000000",
                      "severityNumber": 10,
                      "severityText": "Information",
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174",
                      "flags": 1,
                      "eventName": "checkout.done",
                      "droppedAttributesCount": 2,
                      "body": {
                        "kvlistValue": {
                          "values": [
                            { "key": "message", "value": { "stringValue": "Example log record" } },
                            { "key": "count", "value": { "intValue": 3 } },
                            { "key": "nested", "value": { "kvlistValue": { "values": [
                              { "key": "ok", "value": { "boolValue": true } }
                            ] } } }
                          ]
                        }
                      },
                      "attributes": [
                        { "key": "string.attribute", "value": { "stringValue": "some string" } },
                        { "key": "boolean.attribute", "value": { "boolValue": true } },
                        { "key": "int.attribute", "value": { "intValue": "10" } },
                        { "key": "double.attribute", "value": { "doubleValue": 637.704 } },
                        { "key": "array.attribute", "value": { "arrayValue": { "values": [
                          { "stringValue": "many" }, { "stringValue": "values" }
                        ] } } },
                        { "key": "map.attribute", "value": { "kvlistValue": { "values": [
                          { "key": "some.map.key", "value": { "stringValue": "some value" } }
                        ] } } }
                      ]
                    }
                  ]
                }
              ]
            }
          ]
        }
        """#

    static let realisticRecord = LogRecord(
        timeUnixNano: 1_544_712_660_300_000_000,
        observedTimeUnixNano: 1_544_712_660_300_000_000,
        severityNumber: 10,
        severityText: "Information",
        body: .keyValueList([
            Attribute(key: "message", value: .string("Example log record")),
            Attribute(key: "count", value: .int(3)),
            Attribute(key: "nested", value: .keyValueList([Attribute(key: "ok", value: .bool(true))])),
        ]),
        attributes: [
            "string.attribute": .string("some string"),
            "boolean.attribute": .bool(true),
            "int.attribute": .int(10),
            "double.attribute": .double(637.704),
            "array.attribute": .array([.string("many"), .string("values")]),
            "map.attribute": .keyValueList([Attribute(key: "some.map.key", value: .string("some value"))]),
        ],
        droppedAttributesCount: 2,
        flags: 1,
        traceID: JSONFixtures.traceID,
        spanID: JSONFixtures.spanID,
        eventName: "checkout.done"
    )

    static let realisticLogs = Logs(resourceLogs: [
        ResourceLogs(
            resource: Resource(attributes: ["service.name": .string("my.service")]),
            scopeLogs: [
                ScopeLogs(
                    scope: InstrumentationScope(
                        name: "my.library", version: "1.0.0",
                        attributes: ["my.scope.attribute": .string("some scope attribute")]),
                    logRecords: [realisticRecord])
            ])
    ])

    @Test func decodesRealisticRequest() throws {
        let logs = try JSONFixtures.logs(Self.realistic)
        let record = try #require(logs.resourceLogs.first?.scopeLogs.first?.logRecords.first)
        // The body's key-value list keeps the order it was sent in.
        #expect(record.body == Self.realisticRecord.body)
        #expect(record.severityNumber == 10)
        #expect(record.traceID == JSONFixtures.traceID)
        #expect(record.eventName == "checkout.done")
        #expect(record == Self.realisticRecord)
        #expect(logs == Self.realisticLogs)
    }

    @Test func acceptsProtoFieldNamesAndSeverityNames() throws {
        let json = #"""
            {"resource_logs":[{"scope_logs":[{"log_records":[
              {"time_unix_nano":"1","observed_time_unix_nano":2,"severity_number":"SEVERITY_NUMBER_INFO",
               "severity_text":"INFO","trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
               "event_name":"e","dropped_attributes_count":1,"body":{"string_value":"hi"}},
              {"severity_number":"SEVERITY_NUMBER_FATAL4"},
              {"severity_number":"SEVERITY_NUMBER_WARN2"},
              {"severity_number":"SEVERITY_NUMBER_UNSPECIFIED"}
            ],"schema_url":"x"}],"schema_url":"y"}]}
            """#
        let logs = try JSONFixtures.logs(json)
        let records = logs.allRecords
        try #require(records.count == 4)
        #expect(
            records[0]
                == LogRecord(
                    timeUnixNano: 1, observedTimeUnixNano: 2, severityNumber: 9, severityText: "INFO",
                    body: .string("hi"),
                    droppedAttributesCount: 1, traceID: JSONFixtures.traceID, spanID: JSONFixtures.spanID,
                    eventName: "e"))
        #expect(records.map(\.severityNumber) == [9, 24, 14, 0])
        #expect(logs.resourceLogs[0].scopeLogs[0].schemaURL == "x")
        #expect(logs.resourceLogs[0].schemaURL == "y")
    }

    @Test func roundTripsRichSample() throws {
        let bytes = OTLPJSON.encodeLogs(JSONFixtures.richLogs)
        let decoded = try OTLPJSON.decodeLogs(bytes)
        #expect(decoded == JSONFixtures.richLogs)
        #expect(OTLPJSON.encodeLogs(decoded) == bytes)
    }

    @Test func roundTripsRealisticRequest() throws {
        #expect(try OTLPJSON.decodeLogs(OTLPJSON.encodeLogs(Self.realisticLogs)) == Self.realisticLogs)
    }

    @Test func encodesExactBytes() {
        let logs = Logs(resourceLogs: [
            ResourceLogs(scopeLogs: [
                ScopeLogs(logRecords: [
                    LogRecord(
                        timeUnixNano: 7, severityNumber: 9,
                        body: .keyValueList([Attribute(key: "b", value: .bytes([1]))]),
                        traceID: JSONFixtures.traceID)
                ])
            ])
        ])
        let expected =
            #"{"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"7","#
            + #""severityNumber":9,"body":{"kvlistValue":{"values":[{"key":"b","value":{"bytesValue":"AQ=="}}]}},"#
            + #""traceId":"5b8efff798038103d269b633813fc60c"}]}]}]}"#
        #expect(JSONFixtures.text(OTLPJSON.encodeLogs(logs)) == expected)
    }

    @Test func emptyBodiesAreEmptyRequests() throws {
        #expect(try JSONFixtures.logs("") == Logs())
        #expect(try JSONFixtures.logs("{}") == Logs())
        #expect(try JSONFixtures.metrics("") == Metrics())
        #expect(try JSONFixtures.metrics(" {} ") == Metrics())
        #expect(JSONFixtures.text(OTLPJSON.encodeLogs(Logs())) == "{}")
        #expect(JSONFixtures.text(OTLPJSON.encodeMetrics(Metrics())) == "{}")
    }
}
