/// The encodings a request body or gRPC message may arrive in, as the Collector's receivers accept them, each
/// decompressed with the same output limit checked while inflating.
public enum BodyEncoding: String, Sendable, CaseIterable {
    case gzip, deflate, zstd, snappy, snappyFramed = "x-snappy-framed", lz4

    /// An HTTP `Content-Encoding` (`identity` and empty are no encoding: nil).
    public init?(httpName: String) {
        switch httpName {
        case "gzip", "x-gzip": self = .gzip
        case "deflate", "zlib": self = .deflate
        case "zstd": self = .zstd
        case "snappy": self = .snappy
        case "x-snappy-framed": self = .snappyFramed
        case "lz4": self = .lz4
        default: return nil
        }
    }

    /// A `grpc-encoding`.
    public init?(grpcName: String) {
        switch grpcName {
        case "gzip": self = .gzip
        case "deflate": self = .deflate
        case "zstd": self = .zstd
        case "snappy": self = .snappy
        default: return nil
        }
    }

    /// What HTTP listeners name in their errors.
    public static let httpNames = "gzip, deflate, zstd, snappy, x-snappy-framed, lz4"
    /// What the gRPC listener advertises in `grpc-accept-encoding`.
    public static let grpcNames = "gzip,deflate,zstd,snappy"

    /// The decoded body; `snappy` takes the framed format too when the body starts with its stream identifier (gRPC
    /// clients send framed snappy, HTTP clients the block format).
    public func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(DecompressionError) -> [UInt8] {
        switch self {
        case .gzip, .deflate: return try Gzip.decompress(input, limit: limit)
        case .zstd: return try Zstd.decompress(input, limit: limit)
        case .lz4: return try LZ4.decompress(input, limit: limit)
        case .snappyFramed: return try SnappyFramed.decompress(Array(input), limit: limit)
        case .snappy:
            let framedMagic: [UInt8] = [0xFF, 0x06, 0x00, 0x00, 0x73, 0x4E, 0x61, 0x50, 0x70, 0x59]
            if input.count >= framedMagic.count, Array(input.prefix(framedMagic.count)) == framedMagic {
                return try SnappyFramed.decompress(Array(input), limit: limit)
            }
            return try Snappy.decompress(input, limit: limit)
        }
    }
}

extension BodyEncoding {
    /// `input` in this encoding, as an exporter sends it; `grpc` picks framed snappy, which gRPC peers expect.
    public func compress(_ input: [UInt8], grpc: Bool = false) -> [UInt8] {
        switch self {
        case .gzip: return Gzip.compress(input, level: 5)
        case .deflate: return Gzip.compressZlib(input, level: 5)
        case .zstd: return Zstd.compress(input)
        case .lz4: return LZ4.compress(input)
        case .snappyFramed: return SnappyFramed.compress(input)
        case .snappy: return grpc ? SnappyFramed.compress(input) : Snappy.compress(input)
        }
    }

    /// The name an exporter sends it under: `Content-Encoding`, or `grpc-encoding` with `grpc`.
    public func headerValue(grpc: Bool) -> String {
        switch self {
        case .deflate: return "deflate"
        default: return rawValue
        }
    }
}
