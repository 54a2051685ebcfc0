import Testing

@testable import LoadBalancingExporter

@Suite struct HashRingTests {
    let keys: [[UInt8]] = (0..<20_000).map { i in
        (0..<16).map { UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> ($0 % 4 * 8) &+ $0) }
    }

    func owners(_ ring: HashRing) -> [String?] { keys.map { ring.endpoint(for: $0) } }

    @Test func crc32IsGosIEEE() {
        // Go: crc32.ChecksumIEEE([]byte("123456789")) == 0xcbf43926.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func everyKeyHasOneOwnerAndTheSpreadIsEven() {
        let ring = HashRing(["a:4317", "b:4317", "c:4317"])
        var counts: [String: Int] = [:]
        for owner in owners(ring) { counts[owner ?? "none", default: 0] += 1 }
        #expect(counts.keys.sorted() == ["a:4317", "b:4317", "c:4317"])
        for (_, count) in counts { #expect(count > keys.count / 6, "\(counts)") }
        #expect(HashRing([]).endpoint(for: [1, 2, 3]) == nil)
    }

    @Test func theOrderOfEndpointsDoesNotMatter() {
        #expect(owners(HashRing(["a:1", "b:1", "c:1"])) == owners(HashRing(["c:1", "a:1", "b:1", "a:1"])))
    }

    @Test func aJoiningOrLeavingBackendMovesOnlyItsShare() {
        let three = owners(HashRing(["a:4317", "b:4317", "c:4317"]))
        let four = owners(HashRing(["a:4317", "b:4317", "c:4317", "d:4317"]))
        var moved = 0
        for (before, after) in zip(three, four) where before != after {
            moved += 1
            // Only keys that the new backend takes change owner.
            #expect(after == "d:4317")
        }
        #expect(Double(moved) / Double(keys.count) <= 1.0 / 4 + 0.1, "\(moved) of \(keys.count) moved")
        let two = owners(HashRing(["a:4317", "c:4317"]))
        for (before, after) in zip(three, two) where before != after { #expect(before == "b:4317") }
    }
}
