public import ComponentKit
internal import GatewayCore
internal import HTTP1Transport
internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import Synchronization

/// `zpages`: the gateway's own live page (pipelines, engine panels, traces, cardinality) and its JSON API, served
/// from the process with no external request. See `ZPagesAPI` for what it answers.
public struct ZPagesExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["zpages"] }

    public var capabilities: Set<ExtensionCapability> { [] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        ZPagesConfig(from: reader, context: context)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let c = config as? ZPagesConfig else { throw ComponentBuildError("not a zpages config") }
        guard let (host, port) = parseHostPort(c.endpoint) else {
            throw ComponentBuildError("extensions.\(context.id).endpoint: invalid")
        }
        let tls = try ListenerSecurityWiring.endpointTLS(c.tls, path: "extensions.\(context.id)")
        var authenticator: RequestAuthenticator?
        if let id = c.authenticator {
            authenticator = try context.extensionAs(
                id, (any ServerAuthenticator).self, key: "extensions.\(context.id).auth.authenticator"
            ).requestAuthenticator()
        }
        if c.expvarEnabled {
            context.logger.warning(
                "zpages: expvar is Go's and has no counterpart here; nothing is served for it",
                metadata: ["extension": "\(context.id)"])
        }
        let sampler = ZPagesSampler(inspection: context.inspection, step: c.sampleInterval, history: c.history)
        let api = ZPagesAPI(inspection: context.inspection, sampler: sampler) {
            Int64(WallClock.nowUnixNano() / 1_000_000)
        }
        return ZPagesExtension(
            id: context.id.description, host: host, port: port, tls: tls, authenticator: authenticator, api: api,
            interval: c.sampleInterval, logger: context.logger)
    }
}

/// The running endpoint and the sampler's loop.
final class ZPagesExtension: Extension {
    let id: String
    let host: String
    let port: Int
    let tls: (@Sendable () throws -> [any ChannelHandler])?
    let authenticator: RequestAuthenticator?
    let api: ZPagesAPI
    let interval: Duration
    let logger: Logger
    private let running = Mutex<(server: SimpleHTTPServer?, sampler: Task<Void, Never>?)>((nil, nil))

    init(
        id: String, host: String, port: Int, tls: (@Sendable () throws -> [any ChannelHandler])?,
        authenticator: RequestAuthenticator?, api: ZPagesAPI, interval: Duration, logger: Logger
    ) {
        self.id = id
        self.host = host
        self.port = port
        self.tls = tls
        self.authenticator = authenticator
        self.api = api
        self.interval = interval
        self.logger = logger
    }

    func start() async throws {
        let (api, authenticator) = (api, authenticator)
        let server = try await SimpleHTTPServer.start(
            host: host, port: port, group: MultiThreadedEventLoopGroup.singleton, tls: tls
        ) { method, target, headers in
            if let authenticator, !authenticator.accepts(headers.first(name: "authorization")) {
                let refusal = ZPagesAPI.error(401, authenticator.refusal(headers.first(name: "authorization")))
                return .init(
                    status: .unauthorized, contentType: refusal.contentType, body: refusal.body,
                    headers: [("WWW-Authenticate", authenticator.challenge)])
            }
            let response = api.handle(method: method.rawValue, target: target)
            return .init(
                status: HTTPResponseStatus(statusCode: response.status), contentType: response.contentType,
                body: response.body, headers: response.headers)
        }
        let (sampler, interval) = (api.sampler, interval)
        let task = Task {
            await Periodic.run(
                every: interval, clock: ContinuousClock(), options: .init(tickAtStart: true, tickAtStop: false)
            ) {
                sampler.sample(timeMs: Int64(WallClock.nowUnixNano() / 1_000_000))
            }
        }
        running.withLock { $0 = (server, task) }
        logger.info(
            "zpages listening",
            metadata: ["extension": "\(id)", "endpoint": "\(server.localAddress?.description ?? "?")"])
    }

    func shutdown() async {
        let (server, task) = running.withLock { $0 }
        task?.cancel()
        await task?.value
        await server?.close()
    }
}
