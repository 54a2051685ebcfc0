internal import CLZ4

/// The lz4 frame format (what Go's lz4 readers and the `lz4` command write), decompressed with the output capped
/// while it is produced.
public enum LZ4 {
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(DecompressionError) -> [UInt8] {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw .corrupt("lz4: cannot allocate a context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var consumed = 0
        var hint = 1
        while consumed < input.count {
            var sourceSize = input.count - consumed
            let (status, produced): (Int, Int) = chunk.withUnsafeMutableBytes { raw in
                var destinationSize = raw.count
                let status = LZ4F_decompress(
                    context, raw.baseAddress, &destinationSize, input.baseAddress! + consumed, &sourceSize, nil)
                return (status, destinationSize)
            }
            if LZ4F_isError(status) != 0 {
                throw .corrupt("invalid lz4 data: \(String(cString: LZ4F_getErrorName(status)))")
            }
            consumed += sourceSize
            if output.count + produced > limit { throw .tooLarge(limit: limit) }
            output.append(contentsOf: chunk[0..<produced])
            hint = status
            if sourceSize == 0 && produced == 0 { break }
        }
        // A drained decoder with output pending in the chunk keeps producing without input.
        while hint != 0 {
            var sourceSize = 0
            let (status, produced): (Int, Int) = chunk.withUnsafeMutableBytes { raw in
                var destinationSize = raw.count
                let status = LZ4F_decompress(context, raw.baseAddress, &destinationSize, nil, &sourceSize, nil)
                return (status, destinationSize)
            }
            if LZ4F_isError(status) != 0 || produced == 0 { break }
            if output.count + produced > limit { throw .tooLarge(limit: limit) }
            output.append(contentsOf: chunk[0..<produced])
            hint = status
        }
        guard hint == 0 else { throw .corrupt("truncated lz4 data") }
        return output
    }

    public static func decompress(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        var result: Result<[UInt8], DecompressionError> = .success([])
        input.withUnsafeBytes { b in
            result = Result { () throws(DecompressionError) -> [UInt8] in try decompress(b, limit: limit) }
        }
        return try result.get()
    }

    /// One lz4 frame with default preferences.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        let bound = LZ4F_compressFrameBound(input.count, nil)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { inp in LZ4F_compressFrame(out.baseAddress, bound, inp.baseAddress, input.count, nil)
            }
        }
        precondition(LZ4F_isError(written) == 0, "LZ4F_compressFrame with a bound-sized buffer must succeed")
        output.removeSubrange(written...)
        return output
    }
}
