internal import CZstd

/// zstd frames, decompressed as a stream with the output capped while it is produced (a frame's declared size is
/// not trusted), compressed in one call.
public enum Zstd {
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(DecompressionError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw .corrupt("zstd: cannot allocate a stream") }
        defer { ZSTD_freeDStream(stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: Swift.min(Swift.max(input.count * 4, 16 << 10), 1 << 20))
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var lastStatus = 0
        while true {
            let (status, produced): (Int, Int) = chunk.withUnsafeMutableBytes { raw in
                var outBuffer = ZSTD_outBuffer(dst: raw.baseAddress, size: raw.count, pos: 0)
                let status = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                return (status, outBuffer.pos)
            }
            if ZSTD_isError(status) != 0 {
                throw .corrupt("invalid zstd data: \(String(cString: ZSTD_getErrorName(status)))")
            }
            if output.count + produced > limit { throw .tooLarge(limit: limit) }
            output.append(contentsOf: chunk[0..<produced])
            lastStatus = status
            // Done when every input byte is read and no output is pending (the chunk was not filled).
            if inBuffer.pos == inBuffer.size && produced < chunk.count { break }
        }
        // 0: the last frame ended; anything else: the input stopped inside a frame.
        guard lastStatus == 0 else { throw .corrupt("truncated zstd data") }
        return output
    }

    public static func decompress(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        var result: Result<[UInt8], DecompressionError> = .success([])
        input.withUnsafeBytes { b in
            result = Result { () throws(DecompressionError) -> [UInt8] in try decompress(b, limit: limit) }
        }
        return try result.get()
    }

    /// zstd at `level` (1 favours speed, as the Collector's clients do by default).
    public static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { inp in ZSTD_compress(out.baseAddress, bound, inp.baseAddress, input.count, level) }
        }
        precondition(ZSTD_isError(written) == 0, "ZSTD_compress with a bound-sized buffer must succeed")
        output.removeSubrange(written...)
        return output
    }
}
