internal import ComponentKit
internal import Compression
internal import GatewayCore
internal import NIOCore
internal import NIOHTTP1
internal import OTLPWire

/// OTLP/HTTP on one HTTP/1.1 connection: `POST /v1/{traces,metrics,logs}` with protobuf or JSON bodies,
/// optionally compressed (gzip, deflate, zstd, snappy, lz4); answers in the request's encoding with the OTLP status codes.
final class OTLPHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Paths: Sendable {
        var traces: String
        var metrics: String
        var logs: String
    }

    private enum Rejection {
        case status(HTTPResponseStatus, String)
        /// A protocol-level rejection whose body is a google.rpc.Status in the request's encoding.
        case rpcStatus(HTTPResponseStatus, code: Int32, String)
        /// Missing or wrong credentials: 401 with a `WWW-Authenticate` challenge.
        case unauthorized(challenge: String, String)
        /// A memory limiter is refusing: 503 with `Retry-After`, decided on the head so the body is never kept.
        case refused(PipelineError)
    }

    private struct Pending {
        var head: HTTPRequestHead
        var signal: Signal?
        var encoding: OTLPIngest.Encoding = .protobuf
        var bodyEncoding: BodyEncoding?
        var body: ByteBuffer?
        var rejection: Rejection?
        /// `100 Continue` was sent for `Expect: 100-continue`.
        var continueSent = false
        /// Close the connection after the answer (it went out before the request's end).
        var closeAfter = false
    }

    private let ingest: OTLPIngest
    private let maxBodySize: Int
    private let paths: Paths
    private let authenticator: RequestAuthenticator?
    private let arena = ProtobufArena()
    private let clock: HTTP1ConnectionClock?
    private var pending: Pending?
    /// An answer went out before the request's end and the connection is closing: ignore what still arrives.
    private var answeredEarly = false

    init(
        ingest: OTLPIngest, maxBodySize: Int, paths: Paths, authenticator: RequestAuthenticator? = nil,
        clock: HTTP1ConnectionClock? = nil
    ) {
        self.ingest = ingest
        self.maxBodySize = maxBodySize
        self.paths = paths
        self.authenticator = authenticator
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if answeredEarly { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            clock?.enter(.readingBody)
            var p = start(head)
            let expectsContinue = head.headers.first(name: "expect")?.lowercased() == "100-continue"
            if let rejection = p.rejection {
                let oversize: Bool
                if case .rpcStatus(.payloadTooLarge, _, _) = rejection { oversize = true } else { oversize = false }
                if oversize || expectsContinue {
                    // Answer now and close: an oversized Content-Length, or a client waiting for 100 Continue,
                    // must not have to send (or wait to send) a body that will be refused.
                    answerEarly(p, context: context)
                    return
                }
            } else if expectsContinue {
                p.continueSent = true
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
            pending = p
        case .body(var chunk):
            clock?.progressed()
            guard var p = pending, p.rejection == nil else { return }
            let size = (p.body?.readableBytes ?? 0) + chunk.readableBytes
            if size > maxBodySize {
                // Answer 413 at once and close, rather than reading the rest of an oversized body.
                p.body = nil
                p.rejection = .rpcStatus(
                    .payloadTooLarge, code: 8, "request body larger than max_request_body_size (\(maxBodySize) bytes)")
                pending = nil
                answerEarly(p, context: context)
                return
            } else if p.body == nil {
                p.body = chunk
            } else {
                p.body!.writeBuffer(&chunk)
            }
            pending = p
        case .end:
            guard let p = pending else { return }
            pending = nil
            clock?.enter(.processing)
            finish(p, context: context)
        }
    }

    /// Answers a rejected request before its body and closes the connection after the answer.
    private func answerEarly(_ p: Pending, context: ChannelHandlerContext) {
        answeredEarly = true
        pending = nil
        var p = p
        p.closeAfter = true
        finish(p, context: context)
    }

    private func start(_ head: HTTPRequestHead) -> Pending {
        var p = Pending(head: head)
        if let authenticator {
            // Before anything else, as the Collector's auth middleware: an unauthenticated client learns nothing
            // about paths or pipelines, and its body is dropped as it arrives rather than buffered.
            let authorization = head.headers.first(name: "authorization")
            if !authenticator.accepts(authorization) {
                ingest.telemetry.countAuthFailure()
                p.rejection = .unauthorized(challenge: authenticator.challenge, authenticator.refusal(authorization))
                return p
            }
        }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch path {
        case paths.traces: p.signal = .traces
        case paths.metrics: p.signal = .metrics
        case paths.logs: p.signal = .logs
        default:
            p.rejection = .status(.notFound, "404 page not found: \(path)\n")
            return p
        }
        guard head.method == .POST else {
            p.rejection = .status(.methodNotAllowed, "405 method not allowed, supported: [POST]\n")
            return p
        }
        guard ingest.hasConsumer(for: p.signal!) else {
            p.rejection = .status(.notFound, "404 no \(p.signal!.rawValue) pipeline uses this receiver\n")
            return p
        }
        let mediaType =
            (head.headers.first(name: "content-type") ?? "")
            .split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() } ?? ""
        switch mediaType {
        case "application/x-protobuf", "application/protobuf": p.encoding = .protobuf
        case "application/json": p.encoding = .json
        default:
            p.rejection = .status(
                .unsupportedMediaType,
                "415 unsupported media type \"\(mediaType)\", supported: [application/json, application/x-protobuf]\n")
            return p
        }
        switch (head.headers.first(name: "content-encoding") ?? "").trimmingSpaces().lowercased() {
        case "", "identity": break
        case let name:
            guard let encoding = BodyEncoding(httpName: name) else {
                p.rejection = .rpcStatus(
                    .badRequest, code: 3,
                    "unsupported Content-Encoding \"\(name)\", supported: \(BodyEncoding.httpNames)")
                return p
            }
            p.bodyEncoding = encoding
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodySize {
            p.rejection = .rpcStatus(
                .payloadTooLarge, code: 8, "request body larger than max_request_body_size (\(maxBodySize) bytes)")
        } else if let refusal = ingest.memoryRefusal(for: p.signal!) {
            // Over the memory limit: the body is read and dropped as it arrives (as for an oversize one), then 503.
            p.rejection = .refused(refusal)
        }
        return p
    }

    private func finish(_ p: Pending, context: ChannelHandlerContext) {
        if let rejection = p.rejection {
            // A memory refusal was counted as refused when it was decided.
            if case .refused = rejection {} else { ingest.telemetry.count(.failure) }
            switch rejection {
            case .status(let status, let text):
                respond(context, p.head, status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
            case .rpcStatus(let status, let code, let message):
                respondStatus(context, p, status, code: code, message: message)
            case .unauthorized(let challenge, let message):
                respond(
                    context, p.head, .unauthorized, contentType: "text/plain; charset=utf-8",
                    body: Array("401 Unauthorized: \(message)\n".utf8), extraHeaders: [("WWW-Authenticate", challenge)])
            case .refused(let error):
                respondStatus(
                    context, p, .serviceUnavailable, code: 14, message: error.message,
                    retryAfter: error.retryAfterSeconds ?? 1)
            }
            return
        }
        let signal = p.signal!
        var body = p.body ?? ByteBuffer()
        var decompressed: [UInt8]?
        if let bodyEncoding = p.bodyEncoding {
            do {
                decompressed = try body.withUnsafeReadableBytesTyped { (b) throws(DecompressionError) -> [UInt8] in
                    try bodyEncoding.decompress(b, limit: maxBodySize)
                }
            } catch {
                ingest.telemetry.count(.failure)
                if error.isTooLarge {
                    respondStatus(
                        context, p, .payloadTooLarge, code: 8,
                        message: "decompressed body larger than max_request_body_size (\(maxBodySize) bytes)")
                } else {
                    respondStatus(
                        context, p, .badRequest, code: 3,
                        message: "cannot decompress \(bodyEncoding.rawValue) body: \(error.message)")
                }
                return
            }
        }
        let result: OTLPIngest.Result
        let metadata =
            ingest.includeMetadata ? ClientMetadata(headers: p.head.headers.map { ($0.name, $0.value) }) : .empty
        if let decompressed {
            result = decompressed.withUnsafeBytes {
                ingest.ingest(signal, body: $0, encoding: p.encoding, arena: arena, metadata: metadata)
            }
        } else {
            result = body.withUnsafeReadableBytes {
                ingest.ingest(signal, body: $0, encoding: p.encoding, arena: arena, metadata: metadata)
            }
        }
        body.clear()
        switch result {
        case .accepted(let response):
            respond(
                context, p.head, .ok, contentType: p.encoding == .json ? "application/json" : "application/x-protobuf",
                body: response)
        case .invalid(let reason):
            respondStatus(context, p, .badRequest, code: 3, message: reason)
        case .refused(let error):
            if error.isRetryable {
                respondStatus(
                    context, p, .serviceUnavailable, code: 14, message: error.message,
                    retryAfter: error.retryAfterSeconds ?? 1)
            } else {
                respondStatus(context, p, .internalServerError, code: 13, message: error.message)
            }
        case .notConfigured:
            ingest.telemetry.count(.failure)
            respond(
                context, p.head, .notFound, contentType: "text/plain; charset=utf-8",
                body: Array("404 no pipeline for this signal\n".utf8))
        }
    }

    private func respondStatus(
        _ context: ChannelHandlerContext, _ p: Pending, _ status: HTTPResponseStatus, code: Int32, message: String,
        retryAfter: Int? = nil
    ) {
        var extra: [(String, String)] = []
        if let retryAfter { extra.append(("Retry-After", String(retryAfter))) }
        switch p.encoding {
        case .json:
            respond(
                context, p.head, status, contentType: "application/json",
                body: OTLPJSON.encodeStatus(code: code, message: message), extraHeaders: extra)
        case .protobuf:
            respond(
                context, p.head, status, contentType: "application/x-protobuf",
                body: OTLPProtobuf.encodeStatus(code: code, message: message, retryAfterSeconds: retryAfter),
                extraHeaders: extra)
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ request: HTTPRequestHead, _ status: HTTPResponseStatus, contentType: String,
        body: [UInt8], extraHeaders: [(String, String)] = []
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let keepAlive = request.isKeepAlive && !answeredEarly
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        clock?.enter(.writing)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        } else if let clock {
            let bound = NIOLoopBound(clock, eventLoop: context.eventLoop)
            done.whenSuccess { bound.value.enter(.idle) }
        }
    }
}

extension ByteBuffer {
    func withUnsafeReadableBytesTyped<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>!
        self.withUnsafeReadableBytes { b in result = Result { () throws(E) -> R in try body(b) } }
        return try result.get()
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(
            self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
        )
    }
}

extension String {
    func trimmingSpaces() -> String { Substring(self).trimmingSpaces() }
}
