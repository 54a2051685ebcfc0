/// A consistent-hash ring of backend endpoints, as the Collector's `loadbalancing` exporter builds it: each endpoint
/// takes `weight` positions (CRC-32 of the endpoint followed by the position's number, modulo `positions`), and a
/// key belongs to the endpoint at the first position at or after the key's CRC-32. Adding or removing an endpoint
/// moves only the keys of the positions it takes or gives up: about 1/N of them.
struct HashRing: Sendable, Equatable {
    static let positions: UInt32 = 36_000
    static let weight = 100

    /// Sorted positions with their endpoint's index in `endpoints`.
    private(set) var points: [(position: UInt32, index: Int)] = []
    let endpoints: [String]

    static func == (a: HashRing, b: HashRing) -> Bool { a.endpoints == b.endpoints }

    init(_ endpoints: [String]) {
        self.endpoints = Array(Set(endpoints)).sorted()
        for (index, endpoint) in self.endpoints.enumerated() {
            for i in 0..<Self.weight {
                points.append((CRC32.checksum(Array((endpoint + String(i)).utf8)) % Self.positions, index))
            }
        }
        // Equal positions keep the endpoint that sorts first, so every ring over the same endpoints agrees.
        points.sort { $0.position != $1.position ? $0.position < $1.position : $0.index < $1.index }
    }

    /// The endpoint owning `key`; nil for an empty ring.
    func endpoint(for key: some Collection<UInt8>) -> String? {
        index(for: key).map { endpoints[$0] }
    }

    /// The index in `endpoints` of the endpoint owning `key`; nil for an empty ring.
    func index(for key: some Collection<UInt8>) -> Int? {
        guard !points.isEmpty else { return nil }
        let position = CRC32.checksum(key) % Self.positions
        var low = 0
        var high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].position < position { low = middle + 1 } else { high = middle }
        }
        return points[low == points.count ? 0 : low].index
    }
}

/// CRC-32 (IEEE 802.3, as Go's `crc32.ChecksumIEEE`).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
