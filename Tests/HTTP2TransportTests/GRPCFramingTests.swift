import GatewayCore
import HTTP2Transport
import Testing

@Suite struct GRPCFramingTests {
    @Test func frameAndDeframeRoundTrip() throws {
        let message: [UInt8] = Array(0..<200)
        let framed = GRPCFraming.frame(message)
        #expect(Array(framed.prefix(5)) == [0, 0, 0, 0, 200])
        let m = try GRPCFraming.unaryMessage(framed, limit: 1000)
        #expect(!m.compressed)
        #expect(Array(m.bytes) == message)
        let compressed = try GRPCFraming.unaryMessage(GRPCFraming.frame([1, 2], compressed: true), limit: 10)
        #expect(compressed.compressed)
    }

    @Test func refusesByAnnouncedLengthBeforeReadingThePayload() {
        // The prefix announces 16 MiB; only the prefix is present.
        #expect(throws: GRPCFraming.DeframeError.tooLarge(length: 16 << 20, limit: 4 << 20)) {
            try GRPCFraming.unaryMessage([0, 1, 0, 0, 0], limit: 4 << 20)
        }
    }

    @Test func detectsTruncationAndExtraMessages() {
        #expect(throws: GRPCFraming.DeframeError.truncated) { try GRPCFraming.unaryMessage([0, 0, 0], limit: 100) }
        #expect(throws: GRPCFraming.DeframeError.truncated) {
            try GRPCFraming.unaryMessage([0, 0, 0, 0, 10, 1, 2], limit: 100)
        }
        #expect(throws: GRPCFraming.DeframeError.tooManyMessages) {
            try GRPCFraming.unaryMessage(GRPCFraming.frame([1]) + GRPCFraming.frame([2]), limit: 100)
        }
    }

    @Test func percentEncodingFollowsTheGRPCSpec() {
        #expect(GRPCFraming.percentEncode("ok: 50% done\n") == "ok: 50%25 done%0A")
        #expect(GRPCFraming.percentEncode("héllo") == "h%C3%A9llo")
        #expect(GRPCFraming.percentDecode("h%C3%A9llo 50%25") == "héllo 50%")
    }

    @Test func base64MatchesRFC4648Vectors() {
        #expect(Base64.encode(Array("".utf8)) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8), padding: false) == "Zm8")
    }

    @Test func errorResponseIsTrailersOnly() {
        let r = GRPCFraming.errorResponse(.resourceExhausted, message: "too big", details: [1, 2, 3])
        #expect(r.body == nil)
        #expect(r.headers["grpc-status"] == "8")
        #expect(r.headers["grpc-message"] == "too big")
        #expect(r.headers["grpc-status-details-bin"] == "AQID")
        #expect(r.headers[":status"] == "200")
    }
}

@Suite struct GRPCTimeoutAndFlagTests {
    @Test func timeoutsParseAsTheSpecWritesThem() {
        #expect(GRPCFraming.parseTimeout("5S") == .seconds(5))
        #expect(GRPCFraming.parseTimeout("100m") == .milliseconds(100))
        #expect(GRPCFraming.parseTimeout("2H") == .seconds(7200))
        #expect(GRPCFraming.parseTimeout("99999999n") == .nanoseconds(99_999_999))
        for bad in ["", "S", "5", "5s", "123456789S", "-1S", "1.5S", "soon"] {
            #expect(GRPCFraming.parseTimeout(bad) == nil, "\(bad)")
        }
    }

    @Test func compressedFlagOtherThan0Or1IsRefused() {
        #expect(throws: GRPCFraming.DeframeError.badCompressedFlag(2)) {
            try GRPCFraming.unaryMessage([2, 0, 0, 0, 1, 0x0A], limit: 100)
        }
    }
}
