import Testing

@testable import ZPagesExtension

@Suite struct JSONValueTests {
    @Test func escapesMarkupAndControlCharacters() {
        let encoded = JSONValue.object([("k", .string("<script>\"\\\n\u{1}&"))]).encoded()
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"k":"\u003cscript\u003e\"\\\n\u0001\u0026"}"#)
    }

    @Test func numbersAreIntegersWhenWholeAndNullWhenNotFinite() {
        let encoded = JSONValue.array([.number(3), .number(2.5), .number(.nan), .optional(nil), .bool(true)]).encoded()
        #expect(String(decoding: encoded, as: UTF8.self) == "[3,2.5,null,null,true]")
    }
}
