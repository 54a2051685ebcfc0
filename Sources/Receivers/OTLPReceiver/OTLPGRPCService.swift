internal import ComponentKit
internal import Compression
internal import GatewayCore
internal import HTTP2Transport
internal import OTLPWire

/// The OTLP gRPC services (trace, metrics, logs `Export`) and `grpc.health.v1.Health/Check` on one HTTP/2
/// connection. One instance per connection: it owns the connection's decode arena.
final class OTLPGRPCService: HTTP2RequestHandler {
    static let tracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
    static let metricsPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
    static let logsPath = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
    static let healthPath = "/grpc.health.v1.Health/Check"

    private let ingest: OTLPIngest
    private let maxMessageSize: Int
    private let authenticator: RequestAuthenticator?
    private let arena = ProtobufArena()

    init(ingest: OTLPIngest, maxMessageSize: Int, authenticator: RequestAuthenticator? = nil) {
        self.ingest = ingest
        self.maxMessageSize = maxMessageSize
        self.authenticator = authenticator
    }

    /// An unauthenticated request's body is dropped as it arrives; `respond` refuses it on its headers. So is one
    /// that arrives while a memory limiter of its pipelines is refusing: it is answered UNAVAILABLE undecoded.
    func shouldBufferBody(headers: [HTTP2Header]) -> Bool {
        guard authenticator?.accepts(headers["authorization"]) ?? true else { return false }
        guard let signal = Self.signal(forPath: headers[":path"] ?? "") else { return true }
        return ingest.admits(signal)
    }

    /// The length prefix is looked at as soon as it arrives: a message announced larger than the limit is answered
    /// at once instead of after (up to 4 GiB of) body that would be discarded anyway.
    var bodyPrefixCheck: BodyPrefixCheck? {
        let limit = maxMessageSize
        return BodyPrefixCheck(length: 5) { prefix in
            guard let length = GRPCFraming.announcedLength(prefix) else { return true }
            return length <= limit
        }
    }

    private static func signal(forPath path: String) -> Signal? {
        switch path {
        case tracePath: return .traces
        case metricsPath: return .metrics
        case logsPath: return .logs
        default: return nil
        }
    }

    /// UNAVAILABLE with RetryInfo, for a retryable refusal.
    private static func unavailable(_ error: PipelineError) -> HTTP2Response {
        let delay = error.retryAfterSeconds ?? 1
        return GRPCFraming.errorResponse(
            .unavailable, message: error.message,
            details: OTLPProtobuf.encodeStatus(
                code: GRPCStatusCode.unavailable.rawValue, message: error.message, retryAfterSeconds: delay))
    }

    func handle(_ request: HTTP2Message) -> HTTP2Response {
        let response = respond(request)
        return response
    }

    private func fail(_ code: GRPCStatusCode, _ message: String) -> HTTP2Response {
        ingest.telemetry.count(.failure)
        return GRPCFraming.errorResponse(code, message: message)
    }

    private func respond(_ request: HTTP2Message) -> HTTP2Response {
        let path = request.headers[":path"] ?? ""
        if let authenticator {
            // First, as the Collector's auth interceptor: nothing about the request is looked at before.
            let authorization = request.headers["authorization"]
            if !authenticator.accepts(authorization) {
                ingest.telemetry.countAuthFailure()
                return fail(.unauthenticated, authenticator.refusal(authorization))
            }
        }
        guard request.headers[":method"] == "POST" else {
            return fail(.unimplemented, "gRPC requires POST, got \(request.headers[":method"] ?? "none")")
        }
        guard let contentType = request.headers["content-type"], contentType.hasPrefix("application/grpc") else {
            // gRPC over HTTP/2 says: answer a non-gRPC content type with HTTP 415.
            ingest.telemetry.count(.failure)
            return HTTP2Response(
                headers: [HTTP2Header(":status", "415"), HTTP2Header("content-type", "text/plain")],
                body: Array("unsupported content-type; expected application/grpc\n".utf8))
        }
        let signal: Signal
        switch path {
        case Self.tracePath: signal = .traces
        case Self.metricsPath: signal = .metrics
        case Self.logsPath: signal = .logs
        case Self.healthPath: return GRPCFraming.okResponse(OTLPProtobuf.healthServingResponse)
        default: return fail(.unimplemented, "unknown method \(path)")
        }
        guard ingest.hasConsumer(for: signal) else {
            return fail(.unimplemented, "no \(signal.rawValue) pipeline uses this receiver: \(path)")
        }
        // Before the size check: a body declined on its headers is flagged truncated too.
        if let refusal = ingest.memoryRefusal(for: signal, refusedEarly: request.bodyRefused) {
            return Self.unavailable(refusal)
        }
        if let timeout = request.headers["grpc-timeout"], GRPCFraming.parseTimeout(timeout) == nil {
            // grpc-go answers a malformed timeout with INTERNAL, before reading the message.
            return fail(
                .internal, "malformed grpc-timeout \"\(timeout)\": expected 1 to 8 digits and a unit H, M, S, m, u or n"
            )
        }
        if request.bodyTruncated {
            return fail(.resourceExhausted, "received message larger than max (\(maxMessageSize) bytes)")
        }
        let message: GRPCFraming.Message
        do {
            message = try GRPCFraming.unaryMessage(request.body, limit: maxMessageSize)
        } catch {
            switch error {
            case .tooLarge(let length, let limit):
                return fail(.resourceExhausted, "received message larger than max (\(length) vs. \(limit))")
            case .truncated:
                return fail(
                    .invalidArgument, "truncated gRPC message: the length prefix announces more bytes than were sent")
            case .tooManyMessages:
                return fail(.invalidArgument, "more than one message in a unary call")
            case .badCompressedFlag(let flag):
                return fail(
                    .internal, "grpc: received unexpected payload format \(flag) (the compressed flag must be 0 or 1)")
            }
        }
        var decompressed: [UInt8]?
        if message.compressed {
            let encoding = request.headers["grpc-encoding"] ?? "identity"
            guard encoding != "identity" else {
                // The spec: a compressed message without a message encoding is a protocol error (INTERNAL).
                return fail(.internal, "compressed flag set on a message but grpc-encoding is identity")
            }
            guard let bodyEncoding = BodyEncoding(grpcName: encoding) else {
                var unsupported = fail(
                    .unimplemented,
                    "grpc-encoding \"\(encoding)\" is not supported (supported: \(BodyEncoding.grpcNames))")
                // The spec: an unsupported encoding is answered UNIMPLEMENTED with the encodings that are.
                unsupported.headers.append(HTTP2Header("grpc-accept-encoding", BodyEncoding.grpcNames))
                return unsupported
            }
            do {
                decompressed = try message.bytes.withUnsafeBytesTyped { (b) throws(DecompressionError) -> [UInt8] in
                    try bodyEncoding.decompress(b, limit: maxMessageSize)
                }
            } catch {
                if error.isTooLarge {
                    return fail(.resourceExhausted, "decompressed message larger than max (\(maxMessageSize) bytes)")
                }
                return fail(.invalidArgument, "cannot decompress \(encoding) message: \(error.message)")
            }
        }
        let result: OTLPIngest.Result
        // Pseudo-headers are the request line, not metadata.
        let metadata =
            ingest.includeMetadata
            ? ClientMetadata(
                headers: request.headers.lazy.filter { !$0.name.hasPrefix(":") }.map { ($0.name, $0.value) })
            : .empty
        if let decompressed {
            result = decompressed.withUnsafeBytes {
                ingest.ingest(signal, body: $0, encoding: .protobuf, arena: arena, metadata: metadata)
            }
        } else {
            result = message.bytes.withUnsafeBytes {
                ingest.ingest(signal, body: $0, encoding: .protobuf, arena: arena, metadata: metadata)
            }
        }
        switch result {
        case .accepted(let response):
            var ok = GRPCFraming.okResponse(response)
            // What a client may compress its next messages with.
            ok.headers.append(HTTP2Header("grpc-accept-encoding", BodyEncoding.grpcNames))
            return ok
        case .invalid(let reason):
            return GRPCFraming.errorResponse(.invalidArgument, message: reason)
        case .refused(let error):
            if error.isRetryable { return Self.unavailable(error) }
            return GRPCFraming.errorResponse(.internal, message: error.message)
        case .notConfigured:
            return fail(.unimplemented, "no \(signal.rawValue) pipeline uses this receiver")
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// `withUnsafeBytes` with a typed-throws body (the standard one only rethrows `any Error`).
    func withUnsafeBytesTyped<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Swift.Result<R, E>!
        self.withUnsafeBufferPointer { buffer in
            result = Swift.Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}
