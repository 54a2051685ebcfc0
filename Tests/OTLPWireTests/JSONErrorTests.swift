import GatewayCore
import OTLPWire
import Testing

/// Refused input and the exact message the client gets back.
@Suite struct JSONErrorTests {
    static func tracesError(_ json: String) -> String? {
        JSONFixtures.errorMessage { _ = try JSONFixtures.traces(json) }
    }

    static func tracesError(_ bytes: [UInt8]) -> String? {
        JSONFixtures.errorMessage { _ = try OTLPJSON.decodeTraces(bytes) }
    }

    static func tracesError(span: String) -> String? { tracesError(JSONFixtures.request(span: span)) }

    // MARK: Identifiers

    @Test func badHexTraceIDNamesItsPath() {
        let json = JSONFixtures.request(
            span: #"{"name":"a"},{"name":"b"},{"name":"c","traceId":"zz8efff798038103d269b633813fc60c"}"#)
        #expect(Self.tracesError(json) == "resourceSpans[0].scopeSpans[0].spans[2].traceId: expected 32 hex digits")
    }

    @Test(arguments: [
        (#"{"traceId":"5b8efff798038103d269b633813fc60"}"#, "spans[0].traceId: expected 32 hex digits"),
        (#"{"traceId":"5b8efff798038103d269b633813fc60c00"}"#, "spans[0].traceId: expected 32 hex digits"),
        (#"{"traceId":12}"#, "spans[0].traceId: expected 32 hex digits"),
        (#"{"spanId":"eee19b7ec3c1b17"}"#, "spans[0].spanId: expected 16 hex digits"),
        (#"{"spanId":"eee19b7ec3c1b17g"}"#, "spans[0].spanId: expected 16 hex digits"),
        (#"{"parentSpanId":"0x0019b7ec3c1b17"}"#, "spans[0].parentSpanId: expected 16 hex digits"),
        (#"{"links":[{},{"traceId":"abc"}]}"#, "spans[0].links[1].traceId: expected 32 hex digits"),
        (#"{"links":[{"spanId":"abc"}]}"#, "spans[0].links[0].spanId: expected 16 hex digits"),
    ])
    func wrongIDLengthOrDigits(span: String, message: String) {
        #expect(Self.tracesError(span: span) == "resourceSpans[0].scopeSpans[0]." + message)
    }

    @Test func badExemplarAndLogIDs() {
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.metrics(
                    JSONFixtures.request(metric: #"{"gauge":{"dataPoints":[{"exemplars":[{"spanId":"1"}]}]}}"#))
            }
                == "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0].spanId: "
                + "expected 16 hex digits"
        )
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.logs(JSONFixtures.request(logRecord: #"{"traceId":"1"}"#))
            }
                == "resourceLogs[0].scopeLogs[0].logRecords[0].traceId: expected 32 hex digits")
    }

    // MARK: Types

    @Test func wrongTypesNameTheField() {
        #expect(Self.tracesError(#"{"resourceSpans":{}}"#) == "resourceSpans: expected an array")
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"resource":[]}]}"#) == "resourceSpans[0].resource: expected an object"
        )
        #expect(Self.tracesError(#"{"resourceSpans":["x"]}"#) == "resourceSpans[0]: expected an object")
        #expect(Self.tracesError("[]") == "expected an object")
        #expect(Self.tracesError(#""text""#) == "expected an object")
        #expect(
            Self.tracesError(span: #"{"name":5}"#) == "resourceSpans[0].scopeSpans[0].spans[0].name: expected a string")
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":"soon"}"#)
                == "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an unsigned 64-bit integer")
        #expect(
            Self.tracesError(span: #"{"kind":"SPAN_KIND_BOGUS"}"#)
                == #"resourceSpans[0].scopeSpans[0].spans[0].kind: unknown enum value "SPAN_KIND_BOGUS""#)
        #expect(
            Self.tracesError(span: #"{"status":{"code":"ERROR"}}"#)
                == #"resourceSpans[0].scopeSpans[0].spans[0].status.code: unknown enum value "ERROR""#)
        #expect(
            Self.tracesError(span: #"{"events":[{},{"attributes":[{"key":"k","value":{"boolValue":"true"}}]}]}"#)
                == "resourceSpans[0].scopeSpans[0].spans[0].events[1].attributes[0].value.boolValue: expected a boolean"
        )
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"scopeSpans":[{"scope":{"version":1}}]}]}"#)
                == "resourceSpans[0].scopeSpans[0].scope.version: expected a string")
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.metrics(JSONFixtures.request(metric: #"{"sum":{"isMonotonic":"yes"}}"#))
            } == "resourceMetrics[0].scopeMetrics[0].metrics[0].sum.isMonotonic: expected a boolean")
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.metrics(
                    JSONFixtures.request(metric: #"{"histogram":{"dataPoints":[{"bucketCounts":[1,"x"]}]}}"#))
            }
                == "resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]: "
                + "expected an unsigned 64-bit integer"
        )
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.logs(
                    JSONFixtures.request(logRecord: #"{"severityNumber":"SEVERITY_NUMBER_LOUD"}"#))
            }
                == "resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber: "
                + #"unknown enum value "SEVERITY_NUMBER_LOUD""#
        )
        #expect(
            JSONFixtures.errorMessage {
                _ = try JSONFixtures.logs(JSONFixtures.request(logRecord: #"{"body":"hello"}"#))
            }
                == "resourceLogs[0].scopeLogs[0].logRecords[0].body: expected an object")
    }

    // MARK: Syntax

    @Test func truncatedInput() {
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"scopeSpans":["#)
                == "resourceSpans[0].scopeSpans: invalid JSON at byte 33: unexpected end of input")
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"schemaUrl":"abc"#)
                == "resourceSpans[0].schemaUrl: invalid JSON at byte 31: unterminated string")
        #expect(Self.tracesError(#"{"resourceSpans""#) == "invalid JSON at byte 16: unexpected end of input")
        #expect(Self.tracesError(#"{"resourceSpans":"#) == "invalid JSON at byte 17: unexpected end of input")
        #expect(Self.tracesError("{") == "invalid JSON at byte 1: unexpected end of input")
        #expect(Self.tracesError(#"{"x":tru"#) == "x: invalid JSON at byte 5: invalid literal, expected 'true'")
        #expect(Self.tracesError(#"{"x":nul}"#) == "invalid JSON at byte 5: invalid literal, expected 'null'")
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":12"#)
                == "resourceSpans[0].scopeSpans[0].spans[0]: invalid JSON at byte 66: unexpected end of input")
        // Cut inside an escape and inside a long string.
        #expect(Self.tracesError(#"{"x":"ab\"#) == "x: invalid JSON at byte 5: unterminated string")
        #expect(
            Self.tracesError(#"{"x":"abcdefghijklmnopqrstuvwxyz"#) == "x: invalid JSON at byte 5: unterminated string")
    }

    @Test func trailingGarbage() {
        #expect(Self.tracesError("{}x") == "invalid JSON at byte 2: unexpected data after the top-level value")
        #expect(
            Self.tracesError(#"{"resourceSpans":[]} {}"#)
                == "invalid JSON at byte 21: unexpected data after the top-level value")
        #expect(Self.tracesError("{} \n ,") == "invalid JSON at byte 5: unexpected data after the top-level value")
        #expect(throws: Never.self) { _ = try JSONFixtures.traces("{} \n\t\r ") }
    }

    @Test func structuralErrors() {
        #expect(Self.tracesError(#"{"resourceSpans" []}"#) == "invalid JSON at byte 17: expected ':', found '['")
        #expect(
            Self.tracesError(#"{"resourceSpans":[] "x":1}"#)
                == #"invalid JSON at byte 20: expected ',' or '}', found '"'"#)
        #expect(Self.tracesError("{,}") == "invalid JSON at byte 1: expected a string key or '}', found ','")
        #expect(
            Self.tracesError(#"{"resourceSpans":[],}"#) == "invalid JSON at byte 20: expected a string key, found '}'")
        #expect(
            Self.tracesError(#"{"resourceSpans":[{},]}"#)
                == "resourceSpans[1]: invalid JSON at byte 21: expected a value, found ']'")
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":12]"#)
                == "resourceSpans[0].scopeSpans[0].spans[0]: invalid JSON at byte 66: expected ',' or '}', found ']'")
        #expect(
            Self.tracesError(#"{"resourceSpans":[{} {}]}"#)
                == "resourceSpans: invalid JSON at byte 21: expected ',' or ']', found '{'")
        #expect(Self.tracesError(#"{"x":[1,2,}]}"#) == "x: invalid JSON at byte 10: expected a value, found '}'")
        #expect(Self.tracesError(#"{"x":{"a" 1}}"#) == "x: invalid JSON at byte 10: expected ':', found '1'")
        #expect(Self.tracesError(#"{'x':1}"#) == "invalid JSON at byte 1: expected a string key or '}', found '''")
        #expect(
            Self.tracesError([0x7B, 0x00, 0x7D])
                == "invalid JSON at byte 1: expected a string key or '}', found byte 0x0")
    }

    @Test func invalidNumbers() {
        let path = "resourceSpans[0].scopeSpans[0].spans[0]"
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":-}"#) == path
                + ".startTimeUnixNano: invalid JSON at byte 64: invalid number")
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":1.}"#) == path
                + ".startTimeUnixNano: invalid JSON at byte 64: invalid number")
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":1e}"#) == path
                + ".startTimeUnixNano: invalid JSON at byte 64: invalid number")
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":.5}"#) == path
                + ".startTimeUnixNano: invalid JSON at byte 64: expected a value, found '.'")
        #expect(
            Self.tracesError(span: #"{"startTimeUnixNano":01}"#) == path
                + ": invalid JSON at byte 65: expected ',' or '}', found '1'")
        #expect(Self.tracesError(#"{"x":+1}"#) == "x: invalid JSON at byte 5: expected a value, found '+'")
    }

    @Test func invalidEscapes() {
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"schemaUrl":"a\qb"}]}"#)
                == #"resourceSpans[0].schemaUrl: invalid JSON at byte 33: invalid escape '\q' in string"#)
        #expect(Self.tracesError(#"{"x":"\u12G4"}"#) == #"x: invalid JSON at byte 6: invalid \u escape in string"#)
        #expect(Self.tracesError(#"{"x":"\u12"}"#) == #"x: invalid JSON at byte 6: invalid \u escape in string"#)
        // An escape in a key, and one in a skipped value.
        #expect(Self.tracesError(#"{"a\x":1}"#) == #"invalid JSON at byte 3: invalid escape '\x' in string"#)
    }

    @Test func invalidSurrogates() {
        let expected = #"x: invalid JSON at byte 6: unpaired UTF-16 surrogate in \u escape"#
        #expect(Self.tracesError(#"{"x":"\ud800"}"#) == expected)
        #expect(Self.tracesError(#"{"x":"\ud800x"}"#) == expected)
        #expect(Self.tracesError(#"{"x":"\udc00"}"#) == expected)
        #expect(Self.tracesError(#"{"x":"\ud800\u0041"}"#) == expected)
        #expect(Self.tracesError(#"{"x":"\ud800\ud800"}"#) == expected)
        #expect(Self.tracesError(#"{"x":"\ud800\n"}"#) == expected)
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"schemaUrl":"ok \udfff"}]}"#)
                == #"resourceSpans[0].schemaUrl: invalid JSON at byte 35: unpaired UTF-16 surrogate in \u escape"#)
        #expect(throws: Never.self) { _ = try JSONFixtures.traces(#"{"x":"\ud83d\ude00 \uDBFF\uDFFF"}"#) }
    }

    @Test func invalidUTF8AndControlCharacters() {
        // {"resourceSpans":[{"schemaUrl":"a<C3 28>"}]}: a lead byte followed by a non-continuation byte.
        var bytes = Array(#"{"resourceSpans":[{"schemaUrl":"a"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}]}"#.utf8)
        #expect(
            Self.tracesError(bytes) == "resourceSpans[0].schemaUrl: invalid JSON at byte 31: invalid UTF-8 in string")
        // The same after an escape, which takes the other path.
        var escaped = Array(#"{"resourceSpans":[{"schemaUrl":"\n"#.utf8)
        escaped += [0xFF]
        escaped += Array(#""}]}"#.utf8)
        #expect(
            Self.tracesError(escaped) == "resourceSpans[0].schemaUrl: invalid JSON at byte 31: invalid UTF-8 in string")
        #expect(
            Self.tracesError("{\"resourceSpans\":[{\"schemaUrl\":\"line\nbreak\"}]}")
                == "resourceSpans[0].schemaUrl: invalid JSON at byte 36: control character in string")
        #expect(Self.tracesError("{\"x\":\"a\\n\tb\"}") == "x: invalid JSON at byte 9: control character in string")
    }

    @Test func errorsInSkippedFieldsNameTheField() {
        #expect(
            Self.tracesError(#"{"resourceSpans":[{"resource":{"future":{"a":[1,}}}}]}"#)
                == "resourceSpans[0].resource.future: invalid JSON at byte 48: expected a value, found '}'")
    }

    @Test func errorsAreHashableValues() {
        let error = OTLPDecodingError("x")
        #expect(error == OTLPDecodingError("x"))
        #expect(error.description == "x")
    }
}
