import GatewayCore
import OTLPWire
import Testing

@Suite struct JSONResponseTests {
    @Test(arguments: Signal.allCases)
    func fullSuccessIsEmptyObject(signal: Signal) {
        #expect(JSONFixtures.text(OTLPJSON.encodeExportResponse(rejected: 0, errorMessage: "", signal: signal)) == "{}")
    }

    @Test func partialSuccessNamesTheSignalsUnit() {
        #expect(
            JSONFixtures.text(OTLPJSON.encodeExportResponse(rejected: 3, errorMessage: "bad span", signal: .traces))
                == #"{"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad span"}}"#)
        #expect(
            JSONFixtures.text(OTLPJSON.encodeExportResponse(rejected: 12, errorMessage: "stale", signal: .metrics))
                == #"{"partialSuccess":{"rejectedDataPoints":"12","errorMessage":"stale"}}"#)
        #expect(
            JSONFixtures.text(
                OTLPJSON.encodeExportResponse(rejected: 9_223_372_036_854_775_807, errorMessage: "x", signal: .logs))
                == #"{"partialSuccess":{"rejectedLogRecords":"9223372036854775807","errorMessage":"x"}}"#)
    }

    @Test func defaultsAreLeftOut() {
        #expect(
            JSONFixtures.text(OTLPJSON.encodeExportResponse(rejected: 5, errorMessage: "", signal: .logs))
                == #"{"partialSuccess":{"rejectedLogRecords":"5"}}"#)
        #expect(
            JSONFixtures.text(
                OTLPJSON.encodeExportResponse(rejected: 0, errorMessage: "warning: slow", signal: .traces))
                == #"{"partialSuccess":{"errorMessage":"warning: slow"}}"#)
    }

    @Test func messagesAreEscaped() {
        #expect(
            JSONFixtures.text(
                OTLPJSON.encodeExportResponse(
                    rejected: 1, errorMessage: "a \"quoted\"\\path\n\u{7}ü", signal: .traces))
                == #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"a \"quoted\"\\path\n\u0007ü"}}"#)
    }

    @Test func statusBytes() {
        #expect(
            JSONFixtures.text(OTLPJSON.encodeStatus(code: 3, message: "resourceSpans: expected an array"))
                == #"{"code":3,"message":"resourceSpans: expected an array"}"#)
        #expect(JSONFixtures.text(OTLPJSON.encodeStatus(code: 14, message: "")) == #"{"code":14}"#)
        #expect(
            JSONFixtures.text(OTLPJSON.encodeStatus(code: 8, message: "queue \"full\"\t"))
                == #"{"code":8,"message":"queue \"full\"\t"}"#)
        #expect(JSONFixtures.text(OTLPJSON.encodeStatus(code: -1, message: "")) == #"{"code":-1}"#)
    }

    @Test func statusErrorMessageFromDecoderRoundTripsThroughJSON() throws {
        // What the receiver does with a decoding error: the body must stay valid JSON with the message intact.
        let message = try #require(JSONFixtures.errorMessage { _ = try JSONFixtures.traces(#"{"x":"\q"}"#) })
        let body = OTLPJSON.encodeStatus(code: 3, message: message)
        #expect(
            JSONFixtures.text(body)
                == #"{"code":3,"message":"x: invalid JSON at byte 6: invalid escape '\\q' in string"}"#)
    }
}
