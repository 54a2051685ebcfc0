import GatewayCore
import OTLPWire
import Testing

/// Numbers, strings and skipping, through the smallest requests that carry them.
@Suite struct JSONValueTests {
    /// Decodes `json` as the value of the resource attribute "k".
    static func value(_ json: String) throws -> AnyValue? {
        try JSONFixtures.traces(#"{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":"# + json + "}]}}]}")
            .resourceSpans.first?.resource.attributes["k"]
    }

    static func startTime(_ json: String) throws -> UInt64 {
        try JSONFixtures.firstSpan(JSONFixtures.request(span: #"{"startTimeUnixNano":"# + json + "}")).startTimeUnixNano
    }

    static func double(_ json: String) throws -> Double? {
        guard case .double(let d) = try value(#"{"doubleValue":"# + json + "}") else { return nil }
        return d
    }

    /// The JSON the encoder writes for a log body.
    static func encodedBody(_ body: AnyValue) -> String {
        let text = JSONFixtures.text(
            OTLPJSON.encodeLogs(
                Logs(resourceLogs: [
                    ResourceLogs(scopeLogs: [ScopeLogs(logRecords: [LogRecord(body: body)])])
                ])))
        let prefix = #"{"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},"logRecords":[{"body":"#
        let suffix = "}]}]}]}"
        guard text.hasPrefix(prefix), text.hasSuffix(suffix) else { return "unexpected: " + text }
        return String(text.dropFirst(prefix.count).dropLast(suffix.count))
    }

    // MARK: Integers

    @Test func int64AcceptsStringsAndNumbers() throws {
        #expect(try Self.value(#"{"intValue":"-5"}"#) == .int(-5))
        #expect(try Self.value(#"{"intValue":-5}"#) == .int(-5))
        #expect(try Self.value(#"{"intValue":"9223372036854775807"}"#) == .int(.max))
        #expect(try Self.value(#"{"intValue":-9223372036854775808}"#) == .int(.min))
        #expect(try Self.value(#"{"intValue":0}"#) == .int(0))
        // Exponent and fraction forms that are whole numbers, as protobuf JSON parsers accept.
        #expect(try Self.value(#"{"intValue":1e3}"#) == .int(1000))
        #expect(try Self.value(#"{"intValue":"2.0"}"#) == .int(2))
        #expect(try Self.value(#"{"intValue":1.50e1}"#) == .int(15))
        #expect(try Self.value(#"{"intValue":-0}"#) == .int(0))
    }

    @Test func uint64AcceptsStringsAndNumbers() throws {
        #expect(try Self.startTime("1544712660000000000") == 1_544_712_660_000_000_000)
        #expect(try Self.startTime(#""1544712660000000000""#) == 1_544_712_660_000_000_000)
        #expect(try Self.startTime("18446744073709551615") == .max)
        #expect(try Self.startTime(#""18446744073709551615""#) == .max)
        #expect(try Self.startTime("1e18") == 1_000_000_000_000_000_000)
        #expect(try Self.startTime(#""12.000""#) == 12)
    }

    @Test(arguments: [
        ("1.5", "expected an unsigned 64-bit integer"),
        ("-1", "expected an unsigned 64-bit integer"),
        ("18446744073709551616", "expected an unsigned 64-bit integer"),
        (#""18446744073709551616""#, "expected an unsigned 64-bit integer"),
        (#"" 12""#, "expected an unsigned 64-bit integer"),
        (#""""#, "expected an unsigned 64-bit integer"),
        (#""0x10""#, "expected an unsigned 64-bit integer"),
        ("1e20", "expected an unsigned 64-bit integer"),
        ("true", "expected an unsigned 64-bit integer"),
        ("{}", "expected an unsigned 64-bit integer"),
    ])
    func uint64RefusesNonIntegers(json: String, message: String) {
        #expect(
            JSONFixtures.errorMessage { _ = try Self.startTime(json) }
                == "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: " + message)
    }

    @Test(arguments: [
        #"{"intValue":9223372036854775808}"#, #"{"intValue":"-9223372036854775809"}"#, #"{"intValue":0.5}"#,
    ])
    func int64RefusesOutOfRange(json: String) {
        let expected = "resourceSpans[0].resource.attributes[0].value.intValue: expected a 64-bit integer"
        #expect(JSONFixtures.errorMessage { _ = try Self.value(json) } == expected)
    }

    @Test func int32AndUInt32RefuseOutOfRange() {
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.traces(JSONFixtures.request(span: #"{"flags":4294967296}"#))
            }
                == "resourceSpans[0].scopeSpans[0].spans[0].flags: expected an unsigned 32-bit integer")
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.metrics(
                    JSONFixtures.request(metric: #"{"exponentialHistogram":{"dataPoints":[{"scale":2147483648}]}}"#))
            }
                == "resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0].scale: "
                + "expected a 32-bit integer"
        )
        #expect(throws: Never.self) {
            _ = try JSONFixtures.metrics(
                JSONFixtures.request(metric: #"{"exponentialHistogram":{"dataPoints":[{"scale":-2147483648}]}}"#))
        }
    }

    // MARK: Doubles

    @Test func doublesAcceptNonFiniteStrings() throws {
        #expect(try Self.double(#""NaN""#)?.isNaN == true)
        #expect(try Self.double(#""Infinity""#) == .infinity)
        #expect(try Self.double(#""-Infinity""#) == -.infinity)
        #expect(try Self.double(#""1.5""#) == 1.5)
        #expect(try Self.double(#""-2e-3""#) == -0.002)
    }

    @Test(arguments: [
        ("0.1", 0.1), ("1e-7", 1e-7), ("1E2", 100), ("-0.5", -0.5), ("637.704", 637.704),
        ("0.30000000000000004", 0.30000000000000004), ("1.7976931348623157e308", 1.7976931348623157e308),
        ("5e-324", .leastNonzeroMagnitude), ("4.9406564584124654e-324", .leastNonzeroMagnitude),
        ("2.2250738585072014e-308", 2.2250738585072014e-308),
        ("123456789.123456789", 123456789.123456789), ("9007199254740993", 9007199254740992),
        ("0.000001234", 0.000001234), ("1.00000000000000000000000000001", 1), ("1e22", 1e22), ("1e23", 1e23),
        ("12345678901234567890123", 12345678901234567890123.0), ("0e999", 0),
        // A mantissa past 2^53 is rounded once already: scaling it would round twice.
        ("446673754019253275e-7", 44667375401.92533),
    ])
    func doublesAreCorrectlyRounded(json: String, expected: Double) throws {
        #expect(try Self.double(json) == expected)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let d = try #require(try Self.double("-0"))
        #expect(d == 0 && d.sign == .minus)
        #expect(Self.encodedBody(.double(-0.0)) == #"{"doubleValue":-0}"#)
    }

    @Test func doublesRefuseOutOfRangeAndNonNumbers() {
        let path = "resourceSpans[0].resource.attributes[0].value.doubleValue: "
        #expect(JSONFixtures.errorMessage { _ = try Self.double("1e400") } == path + "number out of range")
        #expect(JSONFixtures.errorMessage { _ = try Self.double(#""nan""#) } == path + "expected a number")
        #expect(JSONFixtures.errorMessage { _ = try Self.double(#""1.5x""#) } == path + "expected a number")
        #expect(JSONFixtures.errorMessage { _ = try Self.double("true") } == path + "expected a number")
    }

    @Test func encodesDoublesShortestAndNonFiniteAsStrings() {
        #expect(Self.encodedBody(.double(.nan)) == #"{"doubleValue":"NaN"}"#)
        #expect(Self.encodedBody(.double(.infinity)) == #"{"doubleValue":"Infinity"}"#)
        #expect(Self.encodedBody(.double(-.infinity)) == #"{"doubleValue":"-Infinity"}"#)
        #expect(Self.encodedBody(.double(3)) == #"{"doubleValue":3}"#)
        #expect(Self.encodedBody(.double(0.1)) == #"{"doubleValue":0.1}"#)
        #expect(Self.encodedBody(.double(-1.5e-7)) == #"{"doubleValue":-1.5e-07}"#)
        #expect(Self.encodedBody(.double(1e300)) == #"{"doubleValue":1e+300}"#)
    }

    @Test func nonFiniteDoublesRoundTrip() throws {
        for d in [
            Double.nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0, 1e15, 1e16,
        ] {
            let bytes = OTLPJSON.encodeLogs(
                Logs(resourceLogs: [
                    ResourceLogs(scopeLogs: [ScopeLogs(logRecords: [LogRecord(body: .double(d))])])
                ]))
            let body = try OTLPJSON.decodeLogs(bytes).allRecords.first?.body
            guard case .double(let decoded) = body else {
                Issue.record("\(d) came back as \(body)")
                continue
            }
            #expect(decoded.bitPattern == d.bitPattern || (d.isNaN && decoded.isNaN), "\(d) came back as \(decoded)")
        }
    }

    @Test func encodesInt64AsStrings() {
        #expect(Self.encodedBody(.int(.min)) == #"{"intValue":"-9223372036854775808"}"#)
        #expect(Self.encodedBody(.int(0)) == #"{"intValue":"0"}"#)
        #expect(
            Self.encodedBody(.keyValueList([Attribute(key: "e", value: .empty)]))
                == #"{"kvlistValue":{"values":[{"key":"e","value":{}}]}}"#)
        #expect(Self.encodedBody(.array([])) == #"{"arrayValue":{"values":[]}}"#)
    }

    // MARK: Strings

    @Test func decodesEveryEscape() throws {
        let value = try Self.value(#"{"stringValue":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00 é 😀"}"#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{C}\n\r\tAé€😀 é 😀"))
    }

    @Test func stringsRoundTripAroundEverySpecialByte() throws {
        // Special bytes at every offset of strings that span several eight-byte words.
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1F}", "é", "😀"] {
            for length in 0..<24 {
                for position in 0...length {
                    var text = String(repeating: "x", count: length)
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    let logs = Logs(resourceLogs: [
                        ResourceLogs(scopeLogs: [ScopeLogs(logRecords: [LogRecord(severityText: text)])])
                    ])
                    let decoded = try OTLPJSON.decodeLogs(OTLPJSON.encodeLogs(logs))
                    #expect(decoded == logs)
                }
            }
        }
    }

    @Test func encodesControlCharactersAsEscapes() {
        #expect(
            Self.encodedBody(.string("q\"b\\n\nr\rt\tb\u{8}f\u{C}u\u{1}\u{1F}/é"))
                == #"{"stringValue":"q\"b\\n\nr\rt\tb\bf\fu\u0001\u001f/é"}"#)
    }

    @Test func encodesBytesAsBase64AndAcceptsBothAlphabets() throws {
        #expect(Self.encodedBody(.bytes([0xFB, 0xFF, 0xFE])) == #"{"bytesValue":"+//+"}"#)
        #expect(Self.encodedBody(.bytes([1, 2])) == #"{"bytesValue":"AQI="}"#)
        #expect(try Self.value(#"{"bytesValue":"-__-"}"#) == .bytes([0xFB, 0xFF, 0xFE]))
        #expect(try Self.value(#"{"bytesValue":"AQI"}"#) == .bytes([1, 2]))
        #expect(try Self.value(#"{"bytesValue":"AQI="}"#) == .bytes([1, 2]))
        #expect(try Self.value(#"{"bytesValue":""}"#) == .bytes([]))
        let path = "resourceSpans[0].resource.attributes[0].value.bytesValue: "
        #expect(JSONFixtures.errorMessage { _ = try Self.value(#"{"bytesValue":"A"}"#) } == path + "expected base64")
        #expect(JSONFixtures.errorMessage { _ = try Self.value(#"{"bytesValue":"AQ=I"}"#) } == path + "expected base64")
        #expect(JSONFixtures.errorMessage { _ = try Self.value(#"{"bytesValue":"A*=="}"#) } == path + "expected base64")
    }

    @Test func escapedKeysMatch() throws {
        let traces = try JSONFixtures.traces(#"{"resource\u0053pans":[{"schema\u0055rl":"s"}]}"#)
        #expect(traces.resourceSpans.map(\.schemaURL) == ["s"])
    }

    @Test func escapedIdsDecode() throws {
        let span = try JSONFixtures.firstSpan(
            JSONFixtures.request(
                span: #"{"traceId":"\u0035b8efff798038103d269b633813fc60c","spanId":"\u0065ee19b7ec3c1b174"}"#)
        )
        #expect(span.traceID == JSONFixtures.traceID)
        #expect(span.spanID == JSONFixtures.spanID)
        // "\u0035" is "5": one digit too many once unescaped.
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.traces(
                    JSONFixtures.request(span: #"{"traceId":"\u00355b8efff798038103d269b633813fc60c"}"#))
            } == "resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex digits")
    }

    // MARK: Skipping and nesting

    @Test func skipsUnknownFieldsOfEveryKind() throws {
        let json = #"""
            {"unknownTop":{"a":[1,-2.5e3,"x\"}]",true,false,null,{"b":{"c":[[],{}]}}]},
             "resourceSpans":[{"entityRefs":[{"type":"service","idKeys":["service.name"]}],
               "resource":{"attributes":[{"key":"k","value":{"stringValue":"v","extra":{"deep":[{}]}},"note":"n"}],
                           "x":1},
               "scopeSpans":[{"scope":{"name":"lib","unknown":"\u0041\n"},"spans":[
                 {"name":"s","futureField":{"nested":[{"k":[1,2,3]}]},"kind":1,"zzz":"\\\"",
                  "events":[{"name":"e","what":[null]}],"links":[{"spanId":"0000000000000001","y":{}}],
                  "status":{"code":1,"reason":"r"}}]}],
               "instrumentationLibrarySpans":[{"spans":[{"name":"legacy"}]}]}],
             "trailing":[]}
            """#
        let expected = Traces(resourceSpans: [
            ResourceSpans(
                resource: Resource(attributes: ["k": .string("v")]),
                scopeSpans: [
                    ScopeSpans(
                        scope: InstrumentationScope(name: "lib"),
                        spans: [
                            Span(
                                traceID: .invalid, spanID: .invalid, name: "s", kind: .internal,
                                events: [SpanEvent(timeUnixNano: 0, name: "e")],
                                links: [SpanLink(traceID: .invalid, spanID: SpanID(value: 1))],
                                status: SpanStatus(code: .ok))
                        ])
                ])
        ])
        #expect(try JSONFixtures.traces(json) == expected)
    }

    @Test func attributesAreCanonicalised() throws {
        let traces = try JSONFixtures.traces(
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"b","value":{"intValue":1}},"#
                + #"{"key":"a","value":{}},{"key":"b","value":{"intValue":2}}]}}]}"#
        )
        let attributes = try #require(traces.resourceSpans.first).resource.attributes
        #expect(attributes.map(\.key) == ["a", "b"])
        #expect(attributes["b"] == .int(1))
    }

    /// `depth` levels in all: the top-level object and `depth - 1` arrays inside an unknown field.
    static func nested(depth: Int) -> String {
        #"{"x":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
    }

    @Test func acceptsNestingOfSixtyFour() throws {
        #expect(try JSONFixtures.traces(Self.nested(depth: 64)) == Traces())
    }

    @Test func refusesNestingBeyondSixtyFour() {
        // The 65th level opens at byte 5 + 63.
        #expect(
            JSONFixtures.errorMessage { _ = try JSONFixtures.traces(Self.nested(depth: 65)) }
                == "x: invalid JSON at byte 68: nesting deeper than 64 levels")
        let deepValue =
            String(repeating: #"{"arrayValue":{"values":["#, count: 30) + String(repeating: "]}}", count: 30)
        let message = JSONFixtures.errorMessage { _ = try Self.value(deepValue) }
        #expect(message?.hasPrefix("resourceSpans[0].resource.attributes[0].value.arrayValue.values[0]") == true)
        #expect(message?.hasSuffix("nesting deeper than 64 levels") == true)
        // Hostile depth far beyond the limit fails the same way instead of exhausting the stack.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(
            JSONFixtures.errorMessage { _ = try JSONFixtures.traces(#"{"x":"# + hostile) }
                == "x: invalid JSON at byte 68: nesting deeper than 64 levels")
    }
}
