internal import CZlib

/// Why a body could not be decompressed.
public struct DecompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable { case corrupt, tooLarge }
    private let kind: Kind
    public let message: String

    /// The compressed data is not valid for its encoding.
    public static func corrupt(_ message: String) -> DecompressionError { .init(kind: .corrupt, message: message) }
    /// The output would exceed the limit (the protection against decompression bombs).
    public static func tooLarge(limit: Int) -> DecompressionError {
        .init(kind: .tooLarge, message: "decompressed size exceeds the limit of \(limit) bytes")
    }

    public var isTooLarge: Bool { kind == .tooLarge }
    public var description: String { message }
}

/// gzip (and zlib-wrapped deflate) through zlib, with a hard cap on the output size checked while inflating,
/// so a small bomb never allocates more than `limit` bytes.
public enum Gzip {
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(DecompressionError) -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw .corrupt("zlib inflateInit failed") }
        defer { inflateEnd(&stream) }
        // Compressed OTLP typically expands 5-10x; start there and grow, never beyond the limit (+1 to detect it).
        var capacity = Swift.min(Swift.max(input.count * 8, 4096), limit + 1)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var produced = 0
        while true {
            if produced == capacity {
                if capacity > limit { throw .tooLarge(limit: limit) }
                let grown = Swift.min(capacity * 2, limit + 1)
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: produced)
                buffer.deallocate()
                buffer = bigger
                capacity = grown
            }
            stream.next_out = (buffer + produced).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(capacity - produced)
            let status = inflate(&stream, Z_NO_FLUSH)
            produced = capacity - Int(stream.avail_out)
            if produced > limit { throw .tooLarge(limit: limit) }
            switch status {
            case Z_STREAM_END:
                // Concatenated gzip members are legal; continue with the next one if input remains.
                if stream.avail_in > 0 {
                    guard inflateReset(&stream) == Z_OK else { throw .corrupt("invalid gzip data") }
                    continue
                }
                let count = produced
                let source = buffer
                return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                    if count > 0 {
                        out.baseAddress!.update(from: source.assumingMemoryBound(to: UInt8.self), count: count)
                    }
                    initialized = count
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if stream.avail_in == 0 { throw .corrupt("truncated gzip data") }
                continue
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw .corrupt("invalid gzip data: \(reason)")
            }
        }
    }

    public static func decompress(_ input: [UInt8], limit: Int) throws(DecompressionError) -> [UInt8] {
        var result: Result<[UInt8], DecompressionError> = .success([])
        input.withUnsafeBytes { buffer in
            result = Result { () throws(DecompressionError) -> [UInt8] in try decompress(buffer, limit: limit) }
        }
        return try result.get()
    }

    /// zlib-wrapped deflate (HTTP's `deflate` encoding) of `input`.
    public static func compressZlib(_ input: [UInt8], level: Int32 = 5) -> [UInt8] {
        input.withUnsafeBytes { compress($0, level: level, zlib: true) }
    }

    /// gzip-compresses `input` (level 1..9; the default favours speed, as the Collector's clients do); with `zlib`,
    /// a zlib header and trailer instead of gzip's.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 5, zlib: Bool = false) -> [UInt8] {
        var stream = z_stream()
        let status = zlib ? czlib_deflate_init_zlib(&stream, level) : czlib_deflate_init_gzip(&stream, level)
        precondition(status == Z_OK, "zlib deflateInit2 failed")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let written: Int = output.withUnsafeMutableBufferPointer { buffer in
            stream.next_out = buffer.baseAddress
            stream.avail_out = uInt(bound)
            let status = deflate(&stream, Z_FINISH)
            precondition(status == Z_STREAM_END, "deflate with a deflateBound-sized buffer must finish")
            return bound - Int(stream.avail_out)
        }
        output.removeSubrange(written...)
        return output
    }

    public static func compress(_ input: [UInt8], level: Int32 = 5) -> [UInt8] {
        input.withUnsafeBytes { compress($0, level: level) }
    }
}
