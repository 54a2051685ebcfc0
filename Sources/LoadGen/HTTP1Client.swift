internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// A keep-alive HTTP/1.1 client connection with one request in flight at a time.
final class HTTP1Client: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
    }

    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    let channel: any Channel
    private let handler: NIOLoopBound<Handler>

    private init(channel: any Channel, handler: NIOLoopBound<Handler>) {
        self.channel = channel
        self.handler = handler
    }

    static func connect(host: String, port: Int, group: any EventLoopGroup) async throws -> HTTP1Client {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .connect(host: host, port: port).get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: Handler.self), eventLoop: channel.eventLoop)
        }.get()
        return HTTP1Client(channel: channel, handler: handler)
    }

    func post(path: String, host: String, headers: [(String, String)], body: [UInt8]) async throws -> Response {
        let promise = channel.eventLoop.makePromise(of: Response.self)
        let handler = self.handler
        let channel = self.channel
        channel.eventLoop.execute {
            var h = HTTPHeaders()
            h.add(name: "Host", value: host)
            h.add(name: "Content-Length", value: String(body.count))
            for (name, value) in headers { h.add(name: name, value: value) }
            handler.value.start(promise)
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: h)), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        return try await promise.futureResult.get()
    }

    func close() async { try? await channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart

        private var promise: EventLoopPromise<Response>?
        private var response = Response(status: 0, headers: [], body: [])

        func start(_ promise: EventLoopPromise<Response>) {
            self.promise = promise
            response = Response(status: 0, headers: [], body: [])
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                response.status = Int(head.status.code)
                response.headers = head.headers.map { ($0.name, $0.value) }
            case .body(let buffer):
                response.body.append(contentsOf: buffer.readableBytesView)
            case .end:
                promise?.succeed(response)
                promise = nil
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise?.fail(ClientError(description: "connection closed"))
            promise = nil
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise?.fail(error)
            promise = nil
            context.close(promise: nil)
        }
    }
}
