internal import GatewayCore

/// gRPC status codes (the subset of names we use; any Int32 is representable).
public struct GRPCStatusCode: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = GRPCStatusCode(rawValue: 0)
    public static let cancelled = GRPCStatusCode(rawValue: 1)
    public static let unknown = GRPCStatusCode(rawValue: 2)
    public static let invalidArgument = GRPCStatusCode(rawValue: 3)
    public static let deadlineExceeded = GRPCStatusCode(rawValue: 4)
    public static let resourceExhausted = GRPCStatusCode(rawValue: 8)
    public static let unimplemented = GRPCStatusCode(rawValue: 12)
    public static let `internal` = GRPCStatusCode(rawValue: 13)
    public static let unavailable = GRPCStatusCode(rawValue: 14)
    public static let unauthenticated = GRPCStatusCode(rawValue: 16)

    public var description: String {
        switch rawValue {
        case 0: return "OK"
        case 1: return "CANCELLED"
        case 2: return "UNKNOWN"
        case 3: return "INVALID_ARGUMENT"
        case 4: return "DEADLINE_EXCEEDED"
        case 8: return "RESOURCE_EXHAUSTED"
        case 12: return "UNIMPLEMENTED"
        case 13: return "INTERNAL"
        case 14: return "UNAVAILABLE"
        case 16: return "UNAUTHENTICATED"
        default: return "CODE(\(rawValue))"
        }
    }
}

/// gRPC's length-prefixed message framing and the response shapes of a unary call.
public enum GRPCFraming {
    /// One message of a request body: the compressed flag and the bytes.
    public struct Message {
        public var compressed: Bool
        public var bytes: ArraySlice<UInt8>
    }

    public enum DeframeError: Error, Equatable {
        /// No complete 5-byte prefix, or fewer bytes than the prefix announces.
        case truncated
        /// More than one message where a unary call allows one.
        case tooManyMessages
        /// The prefix announces more than `limit` bytes.
        case tooLarge(length: Int, limit: Int)
        /// The compressed flag is neither 0 nor 1.
        case badCompressedFlag(UInt8)
    }

    /// Reads the single message of a unary request; checks the announced length against `limit` before looking
    /// at the payload.
    public static func unaryMessage(_ body: [UInt8], limit: Int) throws(DeframeError) -> Message {
        guard body.count >= 5 else { throw .truncated }
        guard body[0] <= 1 else { throw .badCompressedFlag(body[0]) }
        let length = Int(body[1]) << 24 | Int(body[2]) << 16 | Int(body[3]) << 8 | Int(body[4])
        guard length <= limit else { throw .tooLarge(length: length, limit: limit) }
        guard body.count >= 5 + length else { throw .truncated }
        guard body.count == 5 + length else { throw .tooManyMessages }
        return Message(compressed: body[0] & 1 == 1, bytes: body[5..<(5 + length)])
    }

    /// Announced length of the first message, once its prefix has arrived (for refusing early).
    public static func announcedLength(_ prefix: some Collection<UInt8>) -> Int? {
        guard prefix.count >= 5 else { return nil }
        let b = Array(prefix.prefix(5))
        return Int(b[1]) << 24 | Int(b[2]) << 16 | Int(b[3]) << 8 | Int(b[4])
    }

    /// Parses a `grpc-timeout` value as the gRPC over HTTP/2 spec writes it: 1 to 8 ASCII digits and a unit
    /// (`H`, `M`, `S`, `m`, `u`, `n`); nil when malformed.
    public static func parseTimeout(_ value: String) -> Duration? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 2, bytes.count <= 9, let unit = bytes.last else { return nil }
        var amount: Int64 = 0
        for b in bytes.dropLast() {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(b - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: return nil
        }
    }

    public static func frame(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(5 + message.count)
        out.append(compressed ? 1 : 0)
        let n = UInt32(message.count)
        out.append(UInt8(n >> 24))
        out.append(UInt8(truncatingIfNeeded: n >> 16))
        out.append(UInt8(truncatingIfNeeded: n >> 8))
        out.append(UInt8(truncatingIfNeeded: n))
        out.append(contentsOf: message)
        return out
    }

    /// A successful unary response: headers, the framed message, trailers with grpc-status 0.
    public static func okResponse(_ message: [UInt8]) -> HTTP2Response {
        HTTP2Response(
            headers: [HTTP2Header(":status", "200"), HTTP2Header("content-type", "application/grpc")],
            body: frame(message),
            trailers: [HTTP2Header("grpc-status", "0")]
        )
    }

    /// A "trailers-only" error response: one HEADERS frame with the status, no body.
    /// `details` is a serialized google.rpc.Status for `grpc-status-details-bin` (e.g. carrying RetryInfo).
    public static func errorResponse(_ code: GRPCStatusCode, message: String, details: [UInt8]? = nil) -> HTTP2Response
    {
        var headers = [
            HTTP2Header(":status", "200"),
            HTTP2Header("content-type", "application/grpc"),
            HTTP2Header("grpc-status", String(code.rawValue)),
            HTTP2Header("grpc-message", percentEncode(message)),
        ]
        if let details {
            headers.append(HTTP2Header("grpc-status-details-bin", Base64.encode(details, padding: false)))
        }
        return HTTP2Response(headers: headers, body: nil)
    }

    /// gRPC's percent-encoding of grpc-message: printable ASCII except '%' stays, everything else is %XX of UTF-8.
    public static func percentEncode(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            if b >= 0x20 && b <= 0x7E && b != UInt8(ascii: "%") {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func percentDecode(_ s: String) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
                let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                out.append(v)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
