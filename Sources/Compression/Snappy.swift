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
