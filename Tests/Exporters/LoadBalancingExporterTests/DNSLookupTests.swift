import Testing

@testable import LoadBalancingExporter

@Suite struct DNSLookupTests {
    @Test func questionIsWellFormed() throws {
        let packet = try DNSLookup.question("gw.example", type: 1, id: 0x1234)
        #expect(
            packet == [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0x67, 0x77, 7] + Array("example".utf8) + [
                0, 0, 1, 0, 1,
            ])
        #expect(throws: DNSLookup.Failure.self) {
            try DNSLookup.question("a..b" + String(repeating: "x", count: 70), type: 1, id: 1)
        }
    }

    @Test func answersAreRead() throws {
        var answer = try DNSLookup.question("gw", type: 1, id: 7)
        answer[2] = 0x81
        answer[3] = 0x80
        answer[7] = 2
        for last: UInt8 in [2, 3] {
            answer += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 127, 0, 0, last]
        }
        #expect(try DNSLookup.records(answer, type: 1) == ["127.0.0.2", "127.0.0.3"])
        var nxdomain = answer
        nxdomain[3] = 0x83
        #expect(try DNSLookup.records(nxdomain, type: 1) == [])
        #expect(throws: DNSLookup.Failure.self) {
            try DNSLookup.records(Array(answer.prefix(answer.count - 3)), type: 1)
        }
        #expect(throws: DNSLookup.Failure.self) { try DNSLookup.records([0, 1, 2], type: 1) }
    }

    @Test func theSystemResolverKnowsLocalhost() throws {
        #expect(try DNSLookup.system("localhost").contains { $0 == "127.0.0.1" || $0 == "::1" })
    }
}
