import GatewayCore
import PrometheusTranslation
import Testing

@Suite struct PrometheusLabelValueTests {
    @Test func scalars() {
        #expect(prometheusLabelValue(.string("llama-3")) == "llama-3")
        #expect(prometheusLabelValue(.string("")) == "")
        #expect(prometheusLabelValue(.empty) == "")
        #expect(prometheusLabelValue(.bool(true)) == "true")
        #expect(prometheusLabelValue(.bool(false)) == "false")
        #expect(prometheusLabelValue(.int(42)) == "42")
        #expect(prometheusLabelValue(.int(-7)) == "-7")
        #expect(prometheusLabelValue(.int(.min)) == "-9223372036854775808")
    }

    @Test func doublesAreJSONNumbers() {
        #expect(prometheusLabelValue(.double(0.5)) == "0.5")
        #expect(prometheusLabelValue(.double(100)) == "100")
        #expect(prometheusLabelValue(.double(0)) == "0")
        #expect(prometheusLabelValue(.double(-0.0)) == "-0")
        #expect(prometheusLabelValue(.double(-2.5)) == "-2.5")
        #expect(prometheusLabelValue(.double(0.000001)) == "0.000001")
        #expect(prometheusLabelValue(.double(1e20)) == "100000000000000000000")
        #expect(prometheusLabelValue(.double(123456789012345680)) == "123456789012345680")
    }

    @Test func smallAndLargeDoublesUseExponents() {
        #expect(prometheusLabelValue(.double(1e-7)) == "1e-7")
        #expect(prometheusLabelValue(.double(1.5e-7)) == "1.5e-7")
        #expect(prometheusLabelValue(.double(-1.5e-7)) == "-1.5e-7")
        #expect(prometheusLabelValue(.double(1e-100)) == "1e-100")
        #expect(prometheusLabelValue(.double(.leastNonzeroMagnitude)) == "5e-324")
        #expect(prometheusLabelValue(.double(1e21)) == "1e+21")
        #expect(prometheusLabelValue(.double(1.7976931348623157e308)) == "1.7976931348623157e+308")
    }

    @Test func nonFiniteDoublesGiveGoTheJSONError() {
        #expect(prometheusLabelValue(.double(.nan)) == "json: unsupported value: NaN")
        #expect(prometheusLabelValue(.double(.infinity)) == "json: unsupported value: +Inf")
        #expect(prometheusLabelValue(.double(-.infinity)) == "json: unsupported value: -Inf")
    }

    @Test func bytesAreBase64() {
        #expect(prometheusLabelValue(.bytes(Array("hello".utf8))) == "aGVsbG8=")
        #expect(prometheusLabelValue(.bytes([1, 2, 3])) == "AQID")
        #expect(prometheusLabelValue(.bytes([0xFF, 0xFE])) == "//4=")
        #expect(prometheusLabelValue(.bytes([])) == "")
    }

    @Test func arraysAreCompactJSON() {
        let value = AnyValue.array([
            .string("a\"b\\c"), .int(1), .double(1.5), .bool(true), .empty, .double(1e-7),
        ])
        #expect(prometheusLabelValue(value) == #"["a\"b\\c",1,1.5,true,null,1e-7]"#)
        #expect(prometheusLabelValue(.array([])) == "[]")
    }

    @Test func jsonStringsEscapeLikeGo() {
        let value = AnyValue.array([
            .string("<&>"), .string("line\nbreak\ttab\r"), .string("\u{08}\u{0C}"), .string("\u{01}\u{1F}"),
            .string("\u{2028}\u{2029}"), .string("température 请求 \u{7F}"),
        ])
        #expect(
            prometheusLabelValue(value)
                == #"["\u003c\u0026\u003e","line\nbreak\ttab\r","\b\f","\u0001\u001f","\u2028\u2029","#
                + #""température 请求 "#
                + "\u{7F}" + #""]"#)
    }

    @Test func mapsSortKeysAndKeepTheLastDuplicate() {
        let value = AnyValue.keyValueList([
            Attribute(key: "b", value: .int(2)),
            Attribute(key: "a", value: .string("x")),
            Attribute(key: "b", value: .int(3)),
            Attribute(key: "请", value: .bool(false)),
            Attribute(key: "Z", value: .empty),
        ])
        #expect(prometheusLabelValue(value) == #"{"Z":null,"a":"x","b":3,"请":false}"#)
        #expect(prometheusLabelValue(.keyValueList([])) == "{}")
    }

    @Test func nestedValues() {
        let value = AnyValue.keyValueList([
            Attribute(
                key: "m",
                value: .array([.bytes([1, 2, 3]), .bytes([]), .keyValueList([Attribute(key: "k", value: .int(1))])]))
        ])
        #expect(prometheusLabelValue(value) == #"{"m":["AQID",null,{"k":1}]}"#)
    }

    @Test func nonFiniteDoubleInsideJSONGivesEmpty() {
        #expect(prometheusLabelValue(.array([.int(1), .double(.nan)])) == "")
        #expect(prometheusLabelValue(.keyValueList([Attribute(key: "x", value: .array([.double(.infinity)]))])) == "")
    }
}
