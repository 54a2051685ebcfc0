public import ComponentKit
internal import HTTP1Transport
internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import Synchronization

extension HealthCheckConfig: ComponentConfig {}

/// `health_check`: an HTTP endpoint that answers 200 while the gateway serves and 503 before every receiver has
/// started and once a stop has begun.
public struct HealthCheckExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["health_check"] }

    public var capabilities: Set<ExtensionCapability> { [] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        HealthCheckConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let health = config as? HealthCheckConfig else { throw ComponentBuildError("not a health_check config") }
        guard let (host, port) = parseHostPort(health.endpoint) else {
            throw ComponentBuildError("extensions.\(context.id).endpoint: invalid")
        }
        let tls = try ListenerSecurityWiring.endpointTLS(health.tls, path: "extensions.\(context.id)")
        return HealthCheckExtension(
            host: host, port: port, path: health.path, tls: tls, status: context.health, logger: context.logger)
    }
}

/// The running `health_check` endpoint.
final class HealthCheckExtension: Extension {
    let host: String
    let port: Int
    let path: String
    let tls: (@Sendable () throws -> [any ChannelHandler])?
    let status: HealthStatus
    let logger: Logger
    private let server = Mutex<SimpleHTTPServer?>(nil)

    init(
        host: String, port: Int, path: String, tls: (@Sendable () throws -> [any ChannelHandler])?,
        status: HealthStatus, logger: Logger
    ) {
        self.host = host
        self.port = port
        self.path = path
        self.tls = tls
        self.status = status
        self.logger = logger
    }

    func start() async throws {
        let (healthPath, status) = (path, status)
        let started = try await SimpleHTTPServer.start(
            host: host, port: port, group: MultiThreadedEventLoopGroup.singleton, tls: tls
        ) { _, target, _ in
            guard SimpleHTTPServer.path(of: target) == healthPath else {
                return .init(status: .notFound, contentType: "text/plain", body: Array("404 page not found\n".utf8))
            }
            if status.isHealthy {
                return .init(
                    status: .ok, contentType: "application/json", body: Array(#"{"status":"Server available"}"#.utf8))
            }
            return .init(
                status: .serviceUnavailable, contentType: "application/json",
                body: Array(#"{"status":"Server not available"}"#.utf8))
        }
        server.withLock { $0 = started }
        logger.info("health_check listening", metadata: ["endpoint": "\(started.localAddress?.description ?? "?")"])
    }

    func shutdown() async {
        guard let running = server.withLock({ $0 }) else { return }
        await running.close()
    }
}
