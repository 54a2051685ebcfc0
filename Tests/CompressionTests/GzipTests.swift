import Compression
import Testing

@Suite struct GzipTests {
    @Test func roundTrip() throws {
        let input = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) }
        let compressed = Gzip.compress(input)
        #expect(compressed.count < input.count)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        #expect(try Gzip.decompress(compressed, limit: 100_000) == input)
    }

    @Test func bombIsStoppedAtTheLimit() {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 10_000_000))
        #expect(bomb.count < 20_000)
        let error = #expect(throws: DecompressionError.self) { try Gzip.decompress(bomb, limit: 1_000_000) }
        #expect(error?.isTooLarge == true)
        // Exactly at the limit is fine.
        #expect((try? Gzip.decompress(Gzip.compress([UInt8](repeating: 1, count: 4096)), limit: 4096))?.count == 4096)
    }

    @Test func corruptAndTruncatedDataAreErrors() {
        let good = Gzip.compress(Array("hello hello hello".utf8))
        let e1 = #expect(throws: DecompressionError.self) { try Gzip.decompress([1, 2, 3, 4, 5, 6], limit: 100) }
        #expect(e1?.isTooLarge == false)
        #expect(throws: DecompressionError.self) { try Gzip.decompress(Array(good.dropLast(6)), limit: 100) }
        #expect(throws: DecompressionError.self) { try Gzip.decompress([], limit: 100) }
    }

    @Test func concatenatedMembersAreOneStream() throws {
        let a = Gzip.compress(Array("abc".utf8))
        let b = Gzip.compress(Array("def".utf8))
        #expect(try Gzip.decompress(a + b, limit: 10) == Array("abcdef".utf8))
    }
}

@Suite struct SnappyTests {
    @Test func roundTripAndBlockFormat() throws {
        let input = Array(String(repeating: "remote write ", count: 1000).utf8)
        let compressed = Snappy.compress(input)
        // Block format starts with the uncompressed length as a varint (13000 = 0xC8 0x65).
        #expect(Array(compressed.prefix(2)) == [0xC8, 0x65])
        #expect(try Snappy.decompress(compressed, limit: input.count) == input)
    }

    @Test func announcedLengthOverLimitIsRefusedBeforeDecoding() {
        let compressed = Snappy.compress([UInt8](repeating: 9, count: 50_000))
        let error = #expect(throws: DecompressionError.self) { try Snappy.decompress(compressed, limit: 49_999) }
        #expect(error?.isTooLarge == true)
        #expect(throws: DecompressionError.self) { try Snappy.decompress([0xFF, 0xFF, 0xFF], limit: 100) }
    }
}
