public import GatewayConfig
internal import GatewayCore
internal import HTTP1Transport
public import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import OTLPReceiver
public import SelfTelemetry
public import ServiceLifecycle
internal import Synchronization

/// The whole gateway as one `Service`: self-telemetry and extensions first, then processors, then receivers;
/// on graceful shutdown the reverse: receivers stop, processors flush into the exporters, servers close.
public final class GatewayService: Service, Sendable {
    private let config: GatewayConfiguration
    private let logger: Logger
    public let registry: TelemetryRegistry
    private let healthy = Atomic<Bool>(false)

    public init(config: GatewayConfiguration, logger: Logger, registry: TelemetryRegistry = TelemetryRegistry()) {
        self.config = config
        self.logger = logger
        self.registry = registry
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        ProcessMetrics.register(in: registry)
        let graph = try PipelineGraph.build(config, registry: registry, logger: logger)

        var servers: [SimpleHTTPServer] = []
        if config.service.telemetry.metricsEnabled {
            guard let (host, port) = parseHostPort(config.service.telemetry.metricsAddress) else {
                throw PipelineGraph.BuildError(description: "service.telemetry.metrics.address: invalid")
            }
            let registry = self.registry
            let tls = try ListenerSecurityWiring.endpointTLS(config.service.telemetry.metricsTLS, path: "service.telemetry.metrics")
            let server = try await SimpleHTTPServer.start(host: host, port: port, group: group, tls: tls) { method, target, _ in
                guard SimpleHTTPServer.path(of: target) == "/metrics" else { return .init(status: .notFound, contentType: "text/plain", body: Array("404 page not found\n".utf8)) }
                return .init(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(registry.render().utf8))
            }
            servers.append(server)
            logger.info("self-telemetry listening", metadata: ["endpoint": "\(server.localAddress?.description ?? "?")"])
        }
        for id in config.service.extensions {
            guard case .healthCheck(let health)? = config.extensions[id] else { continue }
            guard let (host, port) = parseHostPort(health.endpoint) else {
                throw PipelineGraph.BuildError(description: "extensions.\(id).endpoint: invalid")
            }
            let healthPath = health.path
            let tls = try ListenerSecurityWiring.endpointTLS(health.tls, path: "extensions.\(id)")
            let server = try await SimpleHTTPServer.start(host: host, port: port, group: group, tls: tls) { [self] _, target, _ in
                guard SimpleHTTPServer.path(of: target) == healthPath else { return .init(status: .notFound, contentType: "text/plain", body: Array("404 page not found\n".utf8)) }
                if self.healthy.load(ordering: .relaxed) {
                    return .init(status: .ok, contentType: "application/json", body: Array(#"{"status":"Server available"}"#.utf8))
                }
                return .init(status: .serviceUnavailable, contentType: "application/json", body: Array(#"{"status":"Server not available"}"#.utf8))
            }
            servers.append(server)
            logger.info("health_check listening", metadata: ["endpoint": "\(server.localAddress?.description ?? "?")"])
        }

        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for loop in graph.processorLoops { tasks.addTask { await loop() } }
                for receiver in graph.receivers { try await receiver.start(group: group) }
                healthy.store(true, ordering: .relaxed)
                logger.info("gateway running", metadata: ["pipelines": "\(config.service.pipelines.keys.map(\.description).sorted().joined(separator: ","))"])

                try? await gracefulShutdown()

                logger.info("shutting down: stopping receivers")
                healthy.store(false, ordering: .relaxed)
                for receiver in graph.receivers { await receiver.shutdown() }
                // Cancelling the processor loops makes each flush what it holds into the exporters.
                tasks.cancelAll()
                try await tasks.waitForAll()
            }
        } catch {
            for server in servers { await server.close() }
            throw error
        }
        for server in servers { await server.close() }
        logger.info("shutdown complete")
    }
}
