public import ComponentKit
public import GatewayConfig
internal import GatewayCore
internal import HTTP1Transport
public import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
public import SelfTelemetry
public import ServiceLifecycle

/// The whole gateway as one `Service`: self-telemetry and extensions first, then processors, then receivers;
/// on graceful shutdown the Collector's order: receivers stop accepting (in-flight requests finish), processors
/// flush into the exporters (those upstream of connectors first), exporters drain their queues for up to
/// `service.shutdown_timeout` (a persistent queue keeps the rest), then the extensions and endpoints close.
public final class GatewayService: Service, Sendable {
    private let config: GatewayConfiguration
    private let logger: Logger
    public let registry: TelemetryRegistry
    private let components: ComponentTable
    private let health = HealthStatus()
    private let version: String

    /// - Parameter version: what pages and Tempo's `buildinfo` report.
    public init(
        config: GatewayConfiguration, components: ComponentTable = Components.table, logger: Logger,
        registry: TelemetryRegistry = TelemetryRegistry(), version: String = "dev"
    ) {
        self.config = config
        self.components = components
        self.logger = logger
        self.registry = registry
        self.version = version
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        ProcessMetrics.register(in: registry)
        let graph = try PipelineGraph.build(
            config, components: components, registry: registry, logger: logger, health: health,
            inspection: GraphInspection(registry: registry, version: version))

        var servers: [SimpleHTTPServer] = []
        if config.service.telemetry.metricsEnabled {
            guard let (host, port) = parseHostPort(config.service.telemetry.metricsAddress) else {
                throw ComponentBuildError("service.telemetry.metrics.address: invalid")
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
        var started: [any Extension] = []
        do {
            for (_, running) in graph.extensions {
                try await running.start()
                started.append(running)
            }
        } catch {
            for running in started.reversed() { await running.shutdown() }
            for server in servers { await server.close() }
            throw error
        }

        // Each part runs in its own task so that stopping can go stage by stage; cancelling run() itself (not a
        // graceful stop) cancels them all.
        let tasks = graph.parts.map { part in (part, Task { await part.run() }) }
        do {
            try await withTaskCancellationHandler {
                for listener in graph.listeners { try await listener.start() }
                health.set(true)
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
            for listener in graph.listeners { await listener.shutdown() }
            for running in started.reversed() { await running.shutdown() }
            for server in servers { await server.close() }
            throw error
        }
        health.set(false)
        await Self.stop(graph: graph, tasks: tasks, drainTimeout: config.service.shutdownTimeout, logger: logger)
        logger.info("shutting down: stopping extensions")
        for running in started.reversed() { await running.shutdown() }
        for server in servers { await server.close() }
        logger.info("shutdown complete")
    }

    /// The graceful stop after the receivers' listeners: stage by stage, each finished before the next starts.
    static func stop(
        graph: PipelineGraph, tasks: [(Part, Task<Void, Never>)], drainTimeout: Duration, logger: Logger
    ) async {
        logger.info("shutting down: stopping receivers")
        for listener in graph.listeners { await listener.shutdown() }
        await finish(tasks.filter { $0.0.stage == .receivers })
        logger.info("shutting down: flushing processors")
        await finishUpstreamFirst(tasks.filter { $0.0.stage == .tracesProcessors })
        await finish(tasks.filter { $0.0.stage == .connectors })
        await finishUpstreamFirst(tasks.filter { $0.0.stage == .processors })
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

    /// Stops processors one after another, upstream first: a processor's final flush (a tail sampler deciding
    /// what waits, a batch per tenant) goes into the next one while that one still runs. The graph adds a
    /// pipeline's processors downstream first, so the reverse order is upstream first.
    private static func finishUpstreamFirst(_ tasks: [(Part, Task<Void, Never>)]) async {
        for task in tasks.reversed() { await finish([task]) }
    }

    /// Stops parts of one stage: cancelled together (each then flushes what it holds), awaited together.
    private static func finish(_ tasks: [(Part, Task<Void, Never>)]) async {
        for (part, task) in tasks {
            if let drain = part.drain { drain() } else { task.cancel() }
        }
        for (_, task) in tasks { await task.value }
    }
}
