import HTTP2Transport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// A TLS server on 127.0.0.1 made of NIOSSL's server handler: HTTP/1.1 answering `200 ok`, or HTTP/2 through our
/// nghttp2 server handler answering gRPC-shaped (an empty message to OTLP's `Export`, else `<:scheme> <:authority>`). It records the SNI
/// name, ALPN protocol and client certificate of every handshake, and the requests; the certificate it presents
/// can be changed between connections.
final class TLSTestServer: Sendable {
    enum Wire: Sendable {
        case http1
        case http2
    }

    /// A certificate chain and its key.
    struct Identity: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey

        init(cert: String, key: String) throws {
            chain = try NIOSSLCertificate.fromPEMFile(cert)
            self.key = try NIOSSLPrivateKey(file: key, format: .pem)
        }
    }

    /// What one completed handshake showed.
    struct Handshake: Sendable, Equatable {
        var alpn: String?
        /// The client certificate's description (with its common name), nil without one.
        var clientCertificate: String?
    }

    /// One request: `Host` or `:authority`, path, and for HTTP/2 `:scheme`.
    struct Request: Sendable, Equatable {
        var authority: String?
        var path: String
        var scheme: String?
    }

    final class State: Sendable {
        private struct Record {
            var identity: Identity
            var serverNames: [String?] = []
            var handshakes: [Handshake] = []
            var requests: [Request] = []
        }

        private let state: Mutex<Record>

        init(_ identity: Identity) { state = Mutex(Record(identity: identity)) }

        var identity: Identity {
            get { state.withLock { $0.identity } }
            set { state.withLock { $0.identity = newValue } }
        }
        var serverNames: [String?] { state.withLock { $0.serverNames } }
        var handshakes: [Handshake] { state.withLock { $0.handshakes } }
        var requests: [Request] { state.withLock { $0.requests } }

        func recordServerName(_ name: String?) { state.withLock { $0.serverNames.append(name) } }
        func record(_ handshake: Handshake) { state.withLock { $0.handshakes.append(handshake) } }
        func record(_ request: Request) { state.withLock { $0.requests.append(request) } }
    }

    let channel: any Channel
    let state: State
    var port: Int { channel.localAddress!.port! }

    private init(channel: any Channel, state: State) {
        self.channel = channel
        self.state = state
    }

    /// Starts a server presenting `identity`; with `clientCA`, clients must present a certificate it signed.
    static func start(
        _ wire: Wire, identity: Identity, clientCA: String? = nil, maxVersion: TLSVersion? = nil
    ) async throws -> TLSTestServer {
        let state = State(identity)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        configuration.applicationProtocols = wire == .http2 ? ["h2"] : ["http/1.1"]
        configuration.maximumTLSVersion = maxVersion
        if let clientCA {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
        }
        // Called once per ClientHello: records the SNI name and presents the identity of the moment.
        configuration.sslContextCallback = { values, promise in
            state.recordServerName(values.serverHostname)
            var override = NIOSSLContextConfigurationOverride()
            let identity = state.identity
            override.certificateChain = identity.chain.map { .certificate($0) }
            override.privateKey = .privateKey(identity.key)
            promise.succeed(override)
        }
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLServerHandler(context: context))
                    try sync.addHandler(HandshakeRecorder(state: state))
                    switch wire {
                    case .http1:
                        try sync.configureHTTPServerPipeline()
                        try sync.addHandler(HTTP1Responder(state: state))
                    case .http2:
                        try sync.addHandler(
                            HTTP2ServerHandler(settings: HTTP2Settings(), handler: GRPCEcho(state: state)))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TLSTestServer(channel: channel, state: state)
    }

    func close() async { try? await channel.close() }

    /// A plaintext HTTP/2 server (h2c, as the gateway's own gRPC receiver), to point a TLS client at.
    static func startPlaintextHTTP2() async throws -> any Channel {
        let state = State(
            try Identity(cert: TestCertificates.get().server.cert, key: TestCertificates.get().server.key))
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ServerHandler(settings: HTTP2Settings(), handler: GRPCEcho(state: state)))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }
}

/// Records ALPN and the client certificate when the handshake completes; swallows the errors of failed ones.
private final class HandshakeRecorder: ChannelInboundHandler {
    typealias InboundIn = NIOAny
    let state: TLSTestServer.State

    init(state: TLSTestServer.State) { self.state = state }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let alpn)? = event as? TLSUserEvent {
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            state.record(TLSTestServer.Handshake(alpn: alpn, clientCertificate: tls?.peerCertificate?.description))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

private final class HTTP1Responder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let state: TLSTestServer.State
    private var head: HTTPRequestHead?

    init(state: TLSTestServer.State) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            state.record(
                TLSTestServer.Request(authority: head?.headers["Host"].first, path: head?.uri ?? "", scheme: nil))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "2")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil
            )
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

private final class GRPCEcho: HTTP2RequestHandler {
    let state: TLSTestServer.State

    init(state: TLSTestServer.State) { self.state = state }

    func handle(_ request: HTTP2Message) -> HTTP2Response {
        let scheme = request.headers[":scheme"] ?? "?"
        let authority = request.headers[":authority"] ?? "?"
        state.record(TLSTestServer.Request(authority: authority, path: request.headers[":path"] ?? "", scheme: scheme))
        // OTLP's Export gets an empty response (full success); anything else its own `:scheme` and `:authority`.
        let path = request.headers[":path"] ?? ""
        return GRPCFraming.okResponse(path.hasSuffix("/Export") ? [] : Array("\(scheme) \(authority)".utf8))
    }
}
