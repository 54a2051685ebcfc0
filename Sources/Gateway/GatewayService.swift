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
/// on graceful shutdown the Collector's order: receivers stop accepting (in-flight requests finish), processors
/// flush into the exporters (those upstream of connectors first), exporters drain their queues for up to
/// `service.shutdown_timeout` (a persistent queue keeps the rest), then the extensions and endpoints close.
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
            let tls = try ListenerSecurityWiring.endpointTLS(
                config.service.telemetry.metricsTLS, path: "service.telemetry.metrics")
            let server = try await SimpleHTTPServer.start(host: host, port: port, group: group, tls: tls) {
                method, target, _ in
                guard SimpleHTTPServer.path(of: target) == "/metrics" else {
                    return .init(status: .notFound, contentType: "text/plain", body: Array("404 page not found\n".utf8))
                }
                return .init(
                    status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: Array(registry.render().utf8))
            }
            servers.append(server)
            logger.info(
                "self-telemetry listening", metadata: ["endpoint": "\(server.localAddress?.description ?? "?")"])
        }
        for id in config.service.extensions {
            guard case .healthCheck(let health)? = config.extensions[id] else { continue }
            guard let (host, port) = parseHostPort(health.endpoint) else {
                throw PipelineGraph.BuildError(description: "extensions.\(id).endpoint: invalid")
            }
            let healthPath = health.path
            let tls = try ListenerSecurityWiring.endpointTLS(health.tls, path: "extensions.\(id)")
            let server = try await SimpleHTTPServer.start(host: host, port: port, group: group, tls: tls) {
                [self] _, target, _ in
                guard SimpleHTTPServer.path(of: target) == healthPath else {
                    return .init(status: .notFound, contentType: "text/plain", body: Array("404 page not found\n".utf8))
                }
                if self.healthy.load(ordering: .relaxed) {
                    return .init(
                        status: .ok, contentType: "application/json",
                        body: Array(#"{"status":"Server available"}"#.utf8))
                }
                return .init(
                    status: .serviceUnavailable, contentType: "application/json",
                    body: Array(#"{"status":"Server not available"}"#.utf8))
            }
            servers.append(server)
            logger.info("health_check listening", metadata: ["endpoint": "\(server.localAddress?.description ?? "?")"])
        }

        // Each part runs in its own task so that stopping can go stage by stage; cancelling run() itself (not a
        // graceful stop) cancels them all.
        let tasks = graph.parts.map { part in (part, Task { await part.run() }) }
        do {
            try await withTaskCancellationHandler {
                for receiver in graph.receivers { try await receiver.start(group: group) }
                healthy.store(true, ordering: .relaxed)
                logger.info(
                    "gateway running",
                    metadata: [
                        "pipelines":
                            "\(config.service.pipelines.keys.map(\.description).sorted().joined(separator: ","))"
                    ])
                try? await gracefulShutdown()
            } onCancel: {
                for (_, task) in tasks { task.cancel() }
            }
        } catch {
            for (_, task) in tasks { task.cancel() }
            for receiver in graph.receivers { await receiver.shutdown() }
            for server in servers { await server.close() }
            throw error
        }
        healthy.store(false, ordering: .relaxed)
        await Self.stop(graph: graph, tasks: tasks, drainTimeout: config.service.shutdownTimeout, logger: logger)
        logger.info("shutting down: stopping extensions")
        for server in servers { await server.close() }
        logger.info("shutdown complete")
    }

    /// The graceful stop after the receivers' listeners: stage by stage, each finished before the next starts.
    static func stop(
        graph: PipelineGraph, tasks: [(PipelineGraph.Part, Task<Void, Never>)], drainTimeout: Duration, logger: Logger
    ) async {
        logger.info("shutting down: stopping receivers")
        for receiver in graph.receivers { await receiver.shutdown() }
        await finish(tasks.filter { $0.0.stage == .receivers })
        logger.info("shutting down: flushing processors")
        await finish(tasks.filter { $0.0.stage == .tracesProcessors })
        await finish(tasks.filter { $0.0.stage == .connectors })
        await finish(tasks.filter { $0.0.stage == .processors })
        let exporters = tasks.filter { $0.0.stage == .exporters }
        logger.info("shutting down: draining exporters", metadata: ["timeout": "\(drainTimeout)"])
        for (part, _) in exporters { part.drain?() }
        // Drained exporters return by themselves; the rest are stopped (a final collection and send). Whatever
        // is still running when the timeout passes is cancelled: a persistent queue keeps what it holds, an
        // in-memory one counts and logs it as dropped.
        for (part, task) in exporters where part.drain == nil { task.cancel() }
        let deadline = Task {
            try? await Task.sleep(for: drainTimeout)
            guard !Task.isCancelled else { return }
            let late = exporters.map(\.0.name)
            logger.warning(
                "shutdown timeout reached: stopping exporters that have not drained", metadata: ["exporters": "\(late)"]
            )
            for (_, task) in exporters { task.cancel() }
        }
        for (_, task) in exporters { await task.value }
        deadline.cancel()
    }

    /// Stops parts of one stage: cancelled together (each then flushes what it holds), awaited together.
    private static func finish(_ tasks: [(PipelineGraph.Part, Task<Void, Never>)]) async {
        for (part, task) in tasks {
            if let drain = part.drain { drain() } else { task.cancel() }
        }
        for (_, task) in tasks { await task.value }
    }
}
