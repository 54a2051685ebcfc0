internal import CNGHTTP2

/// Receives what an `NGHTTP2Session` decodes. Called on the session's thread, after `receive` has consumed input,
/// never from inside an nghttp2 callback.
public protocol NGHTTP2SessionDelegate: AnyObject {
    /// Server role: a request is complete (END_STREAM seen). Answer with `NGHTTP2Session.respond`.
    func session(_ session: NGHTTP2Session, didReceiveRequest request: HTTP2Message)
    /// Client role: a response is complete, or the stream closed (`errorCode` != 0: reset).
    func session(_ session: NGHTTP2Session, didReceiveResponse response: HTTP2Message, errorCode: UInt32)
}

/// Limits and settings of one HTTP/2 connection.
public struct HTTP2Settings: Sendable {
    /// Streams a peer may open at once (SETTINGS_MAX_CONCURRENT_STREAMS).
    public var maxConcurrentStreams: Int = 100
    /// Per-stream flow-control window; large so a 4 MiB message does not crawl through 64 KiB windows.
    public var initialWindowSize: Int = 1 << 20
    /// Connection-level window.
    public var connectionWindowSize: Int = 16 << 20
    /// Header block size a peer may send (SETTINGS_MAX_HEADER_LIST_SIZE), enforced on the decoded size (each
    /// field counts its name, value and 32 bytes, as RFC 9113 defines it): a stream over it is reset, its headers
    /// dropped, so an HPACK-compressed "bomb" (one table entry referenced thousands of times) costs nothing kept.
    public var maxHeaderListSize: Int = 16 << 10
    /// HPACK dynamic table size we let the peer use for its headers (SETTINGS_HEADER_TABLE_SIZE).
    public var headerTableSize: Int = 4096
    /// A received body larger than this is discarded beyond the limit and flagged as truncated.
    public var maxBodySize: Int = 4 << 20

    public init() {}
}

/// An I/O-free HTTP/2 session over nghttp2: feed it received bytes with `receive`, write what `drainOutput`
/// returns to the socket. Server and client roles share the stream bookkeeping.
///
/// Not thread-safe: use it from one event loop.
public final class NGHTTP2Session {
    public enum Role: Sendable { case server, client }

    /// Why the connection must end; the caller writes what is drained and closes.
    public struct ProtocolError: Error, CustomStringConvertible {
        public let code: Int
        public var description: String { String(cString: nghttp2_strerror(Int32(code))) }
    }

    final class Stream {
        var headers: [HTTP2Header] = []
        var trailers: [HTTP2Header] = []
        var body: [UInt8] = []
        var bodyTruncated = false
        var bodyRefused = false
        var headersDone = false
        var completed = false
        // Outgoing body and trailers, read by the data provider.
        var output: [UInt8] = []
        var outputOffset = 0
        var outputTrailers: [HTTP2Header] = []
        /// Decoded size of the header block so far (name + value + 32 per field).
        var headerListSize = 0
        var prefixChecked = false
        /// When the stream last moved: headers or data received, or output taken by nghttp2 (`now`).
        var lastActivity: UInt64 = 0
    }

    public let role: Role
    public weak var delegate: (any NGHTTP2SessionDelegate)?
    /// The last error nghttp2 reported (for logs), e.g. a peer's protocol violation.
    public internal(set) var lastError: String?
    /// Server role: asked once a request's headers are complete; false drops its body as it arrives and delivers
    /// the request at once, flagged `bodyTruncated` and `bodyRefused`, so a request refused on its headers buffers
    /// nothing and is answered before its body has been sent.
    public var shouldBufferBody: (([HTTP2Header]) -> Bool)?
    /// Server role: once a request's first `bodyPrefixLength` body bytes have arrived, `shouldKeepBody` is asked
    /// about them; false drops the body and delivers the request at once, flagged `bodyTruncated`, so a gRPC
    /// length prefix announcing more than the limit is answered without waiting for (or buffering) the rest.
    public var bodyPrefixLength = 0
    public var shouldKeepBody: ((ArraySlice<UInt8>) -> Bool)?
    /// Frames received so far (any stream): nonzero once the peer's preface and SETTINGS have been read.
    public private(set) var framesReceived = 0
    private var session: OpaquePointer?
    private var streams: [Int32: Stream] = [:]
    private var completedRequests: [Int32] = []
    private var closedResponses: [(Int32, UInt32)] = []
    private let settings: HTTP2Settings
    /// The caller's current time (any monotonic unit), stamped on stream activity; stalled streams are found by
    /// comparing against it (`resetStalledStreams`). The session itself never reads a clock.
    public var now: UInt64 = 0
    /// Streams reset because their header list exceeded `maxHeaderListSize` (read and cleared by the owner).
    public private(set) var oversizedHeaderLists = 0

    public init(role: Role, settings: HTTP2Settings = HTTP2Settings()) {
        self.role = role
        self.settings = settings
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_error_callback2(callbacks, onError)

        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_max_send_header_block_length(option, 64 << 10)
        // Rapid-reset protection (CVE-2023-44487): bounded RST_STREAM rate per connection.
        nghttp2_option_set_stream_reset_rate_limit(option, 1000, 100)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        switch role {
        case .server: nghttp2_session_server_new2(&session, callbacks, userData, option)
        case .client: nghttp2_session_client_new2(&session, callbacks, userData, option)
        }
        var entries = [
            nghttp2_settings_entry(
                settings_id: CNGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, value: UInt32(settings.maxConcurrentStreams)),
            nghttp2_settings_entry(
                settings_id: CNGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, value: UInt32(settings.initialWindowSize)),
            nghttp2_settings_entry(
                settings_id: CNGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, value: UInt32(settings.maxHeaderListSize)),
            nghttp2_settings_entry(
                settings_id: CNGHTTP2_SETTINGS_HEADER_TABLE_SIZE, value: UInt32(settings.headerTableSize)),
        ]
        nghttp2_submit_settings(session, 0, &entries, entries.count)
        nghttp2_session_set_local_window_size(session, 0, 0, Int32(settings.connectionWindowSize))
    }

    deinit {
        nghttp2_session_del(session)
    }

    /// Open streams (tracked by this wrapper).
    public var openStreamCount: Int { streams.count }

    /// Whether the session still wants to read or write; false after GOAWAY exchange or a fatal error.
    public var isAlive: Bool { nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0 }

    /// Feeds received bytes; delivers complete messages to the delegate afterwards.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
        guard bytes.count > 0 else { return }
        let n = nghttp2_session_mem_recv(session, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        if n < 0 { throw ProtocolError(code: n) }
        deliver()
    }

    private func deliver() {
        while !completedRequests.isEmpty || !closedResponses.isEmpty {
            let requests = completedRequests
            completedRequests.removeAll()
            for id in requests {
                guard let stream = streams[id] else { continue }
                var message = HTTP2Message(
                    streamID: id, headers: stream.headers, body: stream.body, bodyTruncated: stream.bodyTruncated)
                message.bodyRefused = stream.bodyRefused
                stream.body = []
                delegate?.session(self, didReceiveRequest: message)
            }
            let closed = closedResponses
            closedResponses.removeAll()
            for (id, code) in closed {
                guard let stream = streams.removeValue(forKey: id) else { continue }
                let message = HTTP2Message(
                    streamID: id, headers: stream.headers, body: stream.body, trailers: stream.trailers,
                    bodyTruncated: stream.bodyTruncated)
                delegate?.session(self, didReceiveResponse: message, errorCode: code)
            }
        }
    }

    /// Appends all pending output to `out` (the caller writes it to the socket).
    public func drainOutput(into out: inout [UInt8]) {
        drainOutput { out.append(contentsOf: $0) }
    }

    /// Hands each pending output chunk to `sink`; a chunk is valid only during the call.
    public func drainOutput(_ sink: (UnsafeRawBufferPointer) -> Void) {
        while true {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            if n <= 0 { break }
            sink(UnsafeRawBufferPointer(start: data, count: n))
        }
        // Responses closed by sending (client role: our END_STREAM after theirs) are reported here too.
        deliver()
    }

    // MARK: - Server role

    /// Answers a request. `body` nil sends headers only (with END_STREAM unless trailers follow, which then make
    /// a trailers-only response when `headers` already carry them).
    public func respond(streamID: Int32, headers: [HTTP2Header], body: [UInt8]?, trailers: [HTTP2Header] = []) {
        guard let stream = streams[streamID] else { return }
        if let body {
            stream.output = body
            stream.outputOffset = 0
            stream.outputTrailers = trailers
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: nil), read_callback: readOutputCallback)
            withNameValues(headers) { nva, count in
                _ = nghttp2_submit_response(session, streamID, nva, count, &provider)
            }
        } else {
            withNameValues(headers) { nva, count in
                _ = nghttp2_submit_response(session, streamID, nva, count, nil)
            }
        }
    }

    /// Resets a stream (e.g. a client cancelling, or a server refusing mid-body).
    public func reset(streamID: Int32, errorCode: UInt32 = 0x8) {
        nghttp2_submit_rst_stream(session, 0, streamID, errorCode)
    }

    /// Starts a graceful shutdown: GOAWAY with the last stream id; in-flight streams finish.
    public func goAway() {
        nghttp2_session_terminate_session(session, CNGHTTP2_NO_ERROR)
    }

    // MARK: - Client role

    /// Sends a request with `body` (END_STREAM after it). Returns the stream id, or nil if the session refuses
    /// (e.g. too many streams, or it is going away).
    public func request(headers: [HTTP2Header], body: [UInt8]) -> Int32? {
        precondition(role == .client, "request(headers:body:) is for client sessions")
        let stream = Stream()
        stream.output = body
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: readOutputCallback)
        var id: Int32 = -1
        withNameValues(headers) { nva, count in
            id = nghttp2_submit_request(session, nil, nva, count, &provider, nil)
        }
        guard id > 0 else { return nil }
        streams[id] = stream
        return id
    }

    /// Streams the peer allows us to open at once.
    public var remoteMaxConcurrentStreams: Int {
        Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS))
    }

    // MARK: - Internals used by the C callbacks

    fileprivate func beginHeaders(streamID: Int32, category: Int) {
        if role == .server {
            if streams[streamID] == nil {
                let stream = Stream()
                stream.lastActivity = now
                streams[streamID] = stream
            }
        }
    }

    /// Takes one decoded header field; false when the stream's header list has grown past the limit, which makes
    /// nghttp2 reset the stream and skip the rest of its block.
    fileprivate func header(
        streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard let stream = streams[streamID] else { return true }
        stream.headerListSize += name.count + value.count + 32
        if stream.headerListSize > settings.maxHeaderListSize {
            oversizedHeaderLists += 1
            stream.headers = []
            stream.trailers = []
            return false
        }
        stream.lastActivity = now
        let field = HTTP2Header(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        if stream.headersDone { stream.trailers.append(field) } else { stream.headers.append(field) }
        return true
    }

    /// Resets every stream that has not moved since `cutoff` (in `now`'s unit), e.g. a response the peer never
    /// opens its flow-control window for, or a request body that stopped arriving. Returns how many.
    public func resetStalledStreams(notActiveSince cutoff: UInt64) -> Int {
        var count = 0
        for (id, stream) in streams where stream.lastActivity < cutoff {
            nghttp2_submit_rst_stream(session, 0, id, CNGHTTP2_CANCEL)
            stream.lastActivity = now
            count += 1
        }
        return count
    }

    /// Resets the counter of oversized header lists, returning what it held.
    public func takeOversizedHeaderLists() -> Int {
        defer { oversizedHeaderLists = 0 }
        return oversizedHeaderLists
    }

    fileprivate func data(streamID: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID] else { return }
        stream.lastActivity = now
        if stream.bodyTruncated { return }
        if stream.body.count + bytes.count > settings.maxBodySize {
            // Keep reading (flow control still credits the peer) but stop buffering: memory stays bounded.
            stream.bodyTruncated = true
            stream.body = []
            return
        }
        if stream.body.isEmpty {
            stream.body.reserveCapacity(Swift.min(settings.maxBodySize, Swift.max(bytes.count, 16 << 10)))
        }
        stream.body.append(contentsOf: bytes)
        if role == .server, bodyPrefixLength > 0, !stream.prefixChecked, stream.body.count >= bodyPrefixLength {
            stream.prefixChecked = true
            if let shouldKeepBody, !shouldKeepBody(stream.body[0..<bodyPrefixLength]) {
                stream.bodyTruncated = true
                stream.body = []
                if !stream.completed {
                    stream.completed = true
                    completedRequests.append(streamID)
                }
            }
        }
    }

    fileprivate func frameReceived(streamID: Int32, type: UInt8, flags: UInt8) {
        framesReceived += 1
        guard let stream = streams[streamID] else { return }
        if type == CNGHTTP2_FRAME_HEADERS, !stream.headersDone {
            stream.headersDone = true
            if role == .server, let shouldBufferBody, !shouldBufferBody(stream.headers) {
                // Read and credit the body but keep none of it: the request is refused on its headers alone.
                stream.bodyTruncated = true
                stream.bodyRefused = true
                // Handed over now, not at END_STREAM: the answer goes out before the peer has sent its body (a
                // gRPC trailers-only response may precede the request's end), and END_STREAM delivers nothing.
                stream.completed = true
                completedRequests.append(streamID)
            }
        }
        if flags & CNGHTTP2_FLAG_END_STREAM != 0, role == .server, !stream.completed {
            stream.completed = true
            completedRequests.append(streamID)
        }
    }

    fileprivate func streamClosed(streamID: Int32, errorCode: UInt32) {
        switch role {
        case .server:
            streams.removeValue(forKey: streamID)
        case .client:
            if streams[streamID] != nil { closedResponses.append((streamID, errorCode)) }
        }
    }

    fileprivate func readOutput(
        streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, length: Int, flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let stream = streams[streamID] else {
            flags.pointee |= CNGHTTP2_DATA_FLAG_EOF
            return 0
        }
        stream.lastActivity = now
        let remaining = stream.output.count - stream.outputOffset
        let n = Swift.min(remaining, length)
        if n > 0 {
            stream.output.withUnsafeBufferPointer { src in
                buffer.update(from: src.baseAddress! + stream.outputOffset, count: n)
            }
            stream.outputOffset += n
        }
        if stream.outputOffset == stream.output.count {
            flags.pointee |= CNGHTTP2_DATA_FLAG_EOF
            stream.output = []
            stream.outputOffset = 0
            if !stream.outputTrailers.isEmpty {
                flags.pointee |= CNGHTTP2_DATA_FLAG_NO_END_STREAM
                withNameValues(stream.outputTrailers) { nva, count in
                    _ = nghttp2_submit_trailer(session, streamID, nva, count)
                }
                stream.outputTrailers = []
            }
        }
        return n
    }

    /// Lays out names and values in one buffer and calls `body` with an nghttp2_nv array into it. nghttp2 copies
    /// header fields on submit, so the buffer only has to live for the call.
    private func withNameValues(_ headers: [HTTP2Header], _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Void) {
        var storage: [UInt8] = []
        var ranges: [(Int, Int, Int, Int)] = []
        ranges.reserveCapacity(headers.count)
        for h in headers {
            let nameStart = storage.count
            storage.append(contentsOf: h.name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: h.value.utf8)
            ranges.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart))
        }
        if storage.isEmpty { storage.append(0) }
        storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var nva = ranges.map { r in
                nghttp2_nv(
                    name: base + r.0, value: base + r.2, namelen: r.1, valuelen: r.3,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            nva.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}

// MARK: - C callbacks (no captures: the session comes back through user_data)

@inline(__always)
private func sessionFrom(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2Session {
    Unmanaged<NGHTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
}

private let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
    guard let frame else { return 0 }
    sessionFrom(userData).beginHeaders(
        streamID: cnghttp2_frame_stream_id(frame), category: Int(cnghttp2_frame_headers_category(frame)))
    return 0
}

private let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    guard let frame, let name, let value else { return 0 }
    let kept = sessionFrom(userData).header(
        streamID: cnghttp2_frame_stream_id(frame),
        name: UnsafeBufferPointer(start: name, count: nameLength),
        value: UnsafeBufferPointer(start: value, count: valueLength)
    )
    // nghttp2 answers this with RST_STREAM and ignores the rest of the block (no further callbacks for it).
    return kept ? 0 : Int32(CNGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE)
}

private let onDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    guard let data else { return 0 }
    sessionFrom(userData).data(streamID: streamID, UnsafeBufferPointer(start: data, count: length))
    return 0
}

private let onFrameRecv: nghttp2_on_frame_recv_callback = { _, frame, userData in
    guard let frame else { return 0 }
    sessionFrom(userData).frameReceived(
        streamID: cnghttp2_frame_stream_id(frame), type: cnghttp2_frame_type(frame), flags: cnghttp2_frame_flags(frame))
    return 0
}

private let onStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
    sessionFrom(userData).streamClosed(streamID: streamID, errorCode: errorCode)
    return 0
}

private let readOutputCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
    guard let buffer, let flags else { return Int(CNGHTTP2_ERR_CALLBACK_FAILURE) }
    return sessionFrom(userData).readOutput(streamID: streamID, into: buffer, length: length, flags: flags)
}

private let onError: nghttp2_error_callback2 = { _, code, message, length, userData in
    if let message {
        let text = String(decoding: UnsafeRawBufferPointer(start: message, count: length), as: UTF8.self)
        sessionFrom(userData).lastError = "\(code): \(text)"
    }
    return 0
}
