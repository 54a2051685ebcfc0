internal import CSnappy

/// Snappy block format (not the framed format), as Prometheus remote write requires.
public enum Snappy {
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let bound = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        var length = bound
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withMemoryRebound(to: CChar.self) { inp in
                out.withMemoryRebound(to: CChar.self) { o in
                    snappy_compress(inp.baseAddress, input.count, o.baseAddress, &length)
                }
            }
        }
        precondition(status == SNAPPY_OK, "snappy_compress with a max-length buffer must succeed")
        output.removeSubrange(length...)
        return output
    }

    public static func compress(_ input: [UInt8]) -> [UInt8] { input.withUnsafeBytes { compress($0) } }

    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(DecompressionError) -> [UInt8] {
        var length = 0
        let ok = input.withMemoryRebound(to: CChar.self) {
            snappy_uncompressed_length($0.baseAddress, input.count, &length)
        }
        guard ok == SNAPPY_OK else { throw .corrupt("invalid snappy data") }
        // The length comes from the header, before any allocation: a bomb is refused for free.
        guard length <= limit else { throw .tooLarge(limit: limit) }
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withMemoryRebound(to: CChar.self) { inp in
                out.withMemoryRebound(to: CChar.self) { o in
                    snappy_uncompress(inp.baseAddress, input.count, o.baseAddress, &length)
                }
            }
        }
        guard status == SNAPPY_OK else { throw .corrupt("invalid snappy data") }
        return output
    }

    public static func decompress(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        var result: Result<[UInt8], DecompressionError> = .success([])
        input.withUnsafeBytes { b in
            result = Result { () throws(DecompressionError) -> [UInt8] in try decompress(b, limit: limit) }
        }
        return try result.get()
    }
}

/// The snappy framing format (`x-snappy-framed`): a stream identifier, then chunks of at most 64 KiB, each checked
/// against its masked CRC-32C.
public enum SnappyFramed {
    public static func decompress(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        var output: [UInt8] = []
        var i = 0
        var sawIdentifier = false
        while i < input.count {
            guard input.count - i >= 4 else { throw .corrupt("truncated snappy frame header") }
            let type = input[i]
            let length = Int(input[i + 1]) | Int(input[i + 2]) << 8 | Int(input[i + 3]) << 16
            i += 4
            guard input.count - i >= length else { throw .corrupt("truncated snappy frame") }
            let body = input[i..<(i + length)]
            i += length
            switch type {
            case 0xFF:
                guard Array(body) == Array("sNaPpY".utf8) else { throw .corrupt("bad snappy stream identifier") }
                sawIdentifier = true
            case 0x00, 0x01:
                guard sawIdentifier else { throw .corrupt("snappy frame before the stream identifier") }
                guard length >= 4 else { throw .corrupt("snappy frame without a checksum") }
                let expected =
                    UInt32(body[body.startIndex]) | UInt32(body[body.startIndex + 1]) << 8
                    | UInt32(body[body.startIndex + 2]) << 16 | UInt32(body[body.startIndex + 3]) << 24
                let payload = Array(body.dropFirst(4))
                let data =
                    type == 0x00
                    ? try Snappy.decompress(payload, limit: Swift.min(65_536, limit - output.count + 1)) : payload
                guard data.count <= 65_536 else { throw .corrupt("snappy frame over 64 KiB") }
                guard CRC32C.masked(data) == expected else { throw .corrupt("snappy frame checksum mismatch") }
                if output.count + data.count > limit { throw .tooLarge(limit: limit) }
                output.append(contentsOf: data)
            case 0xFE, 0x80...0xFD:
                continue  // padding and skippable chunks
            default:
                throw .corrupt("unknown unskippable snappy chunk type \(type)")
            }
        }
        return output
    }

    /// The framed format of `input`, one chunk per 64 KiB.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0xFF, 6, 0, 0] + Array("sNaPpY".utf8)
        var start = 0
        repeat {
            let end = Swift.min(start + 65_536, input.count)
            let data = Array(input[start..<end])
            let crc = CRC32C.masked(data)
            let body = withUnsafeBytes(of: crc.littleEndian, Array.init) + Snappy.compress(data)
            out += [0x00, UInt8(body.count & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count >> 16)] + body
            start = end
        } while start < input.count
        return out
    }
}

/// CRC-32C (Castagnoli), masked as the snappy framing format stores it.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    static func masked(_ data: [UInt8]) -> UInt32 {
        let crc = checksum(data)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
