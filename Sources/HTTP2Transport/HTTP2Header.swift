/// One HTTP/2 header field (pseudo-headers included), as raw name and value strings.
public struct HTTP2Header: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTP2Header {
    /// The first value of `name` (names are lower-case in HTTP/2).
    public subscript(name: String) -> String? {
        for header in self where header.name == name { return header.value }
        return nil
    }
}

/// A request or response message of one stream, complete: headers, body and (responses) trailers.
public struct HTTP2Message: Sendable {
    public var streamID: Int32
    public var headers: [HTTP2Header]
    public var body: [UInt8]
    public var trailers: [HTTP2Header]
    /// The body outgrew the receiver's limit; its bytes were discarded past that point.
    public var bodyTruncated: Bool
    /// The handler declined the body when the headers arrived (`HTTP2RequestHandler.shouldBufferBody`); it was
    /// discarded as it arrived (`bodyTruncated` is set too). Tells a refusal on headers from an oversize body.
    public var bodyRefused = false

    public init(
        streamID: Int32, headers: [HTTP2Header], body: [UInt8] = [], trailers: [HTTP2Header] = [],
        bodyTruncated: Bool = false
    ) {
        self.streamID = streamID
        self.headers = headers
        self.body = body
        self.trailers = trailers
        self.bodyTruncated = bodyTruncated
    }
}
