import Testing

@testable import MemoryTraceExporter

@Suite struct URLQueryTests {
    @Test func decodesPercentEscapesAndPlus() throws {
        let query = try URLQuery("tags=service.name%3D%22a+b%22&limit=5&empty=&bare&%E2%9C%93=%C3%A9")
        #expect(query["tags"] == #"service.name="a b""#)
        #expect(query["limit"] == "5")
        #expect(query["empty"] == "")
        #expect(query["bare"] == "")
        #expect(query["✓"] == "é")
        #expect(query["missing"] == nil)
    }

    @Test func firstValueWins() throws {
        let query = try URLQuery("limit=1&&limit=2")
        #expect(query["limit"] == "1")
        #expect(query.pairs.count == 2)
    }

    @Test func malformedEscapesNameTheParameter() {
        #expect(throws: URLQuery.DecodingError(name: "minDuration")) { try URLQuery("a=1&minDuration=1%2") }
        #expect(throws: URLQuery.DecodingError(name: "tags")) { try URLQuery("tags=%zz") }
        // Bytes that are not UTF-8.
        #expect(throws: URLQuery.DecodingError(name: "service")) { try URLQuery("service=%FF") }
        #expect(throws: URLQuery.DecodingError(name: "b%G1")) { try URLQuery("b%G1=x") }
    }
}
