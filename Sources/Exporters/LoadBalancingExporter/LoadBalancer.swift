internal import ComponentKit
internal import GatewayCore
internal import Logging
internal import SelfTelemetry
internal import Synchronization

/// The `loadbalancing` exporter for one signal: a ring of backends, each an exporter with its own queue and
/// retries, and the resolver that keeps the ring current.
///
/// A batch is split by the routing key and each part handed to its backend's exporter; a backend that is down
/// but still resolved keeps its keys (its data waits in its queue, within its retry budget), as in the Collector.
/// When a backend leaves the ring it stops receiving and drains what it has queued to its old address for up to
/// `drainTimeout`. A part a backend refuses fails the whole batch with that backend's error, so the client resends
/// (at least once: parts other backends took may arrive twice).
final class LoadBalancer<Data: Routable>: Consumer, Sendable {
    struct Backend: Sendable {
        var consumer: any Consumer<Data>
        var parts: [Part]
        /// `otelcol_loadbalancer_backend_outcome_total` of this backend, made once when it joins.
        var succeeded = TelemetryCounter()
        var failed = TelemetryCounter()
    }

    private struct State {
        var ring = HashRing([])
        var backends: [String: Backend] = [:]
        var tasks: [String: [Task<Void, Never>]] = [:]
        var running = false
    }

    let name: String
    let routingKey: LoadBalancingConfig.RoutingKey
    let makeBackend: @Sendable (String) throws -> Backend
    let logger: Logger
    let drainTimeout: Duration
    private let state = Mutex(State())
    private let numBackends: TelemetryGauge
    private let registry: TelemetryRegistry
    let stop = StopSignal()

    init(
        name: String, routingKey: LoadBalancingConfig.RoutingKey, registry: TelemetryRegistry, logger: Logger,
        drainTimeout: Duration = .seconds(30), makeBackend: @escaping @Sendable (String) throws -> Backend
    ) {
        self.name = name
        self.routingKey = routingKey
        self.makeBackend = makeBackend
        self.logger = logger
        self.drainTimeout = drainTimeout
        self.registry = registry
        numBackends = registry.gauge(
            "otelcol_loadbalancer_num_backends", help: "Current number of backends in use.",
            labels: ["exporter": name, "otel_signal": Data.signal.rawValue])
    }

    /// The endpoints in the ring now, sorted.
    var endpoints: [String] { state.withLock { $0.ring.endpoints } }

    /// The endpoint owning `key` now (for tests and the router's own checks).
    func endpoint(for key: [UInt8]) -> String? { state.withLock { $0.ring.endpoint(for: key) } }

    func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let (ring, backends) = state.withLock { ($0.ring, $0.backends) }
        guard !ring.endpoints.isEmpty else {
            throw .retryable("exporter \(name) has no backends: its resolver found none yet")
        }
        var result = ConsumeResult.accepted
        var failure: PipelineError?
        for (endpoint, split) in data.split(by: routingKey, ring: ring) {
            guard let backend = backends[endpoint] else { continue }
            // Each part keeps the request's metadata, for headers set per tenant (`headers_setter`).
            var part = split
            part.metadata = data.metadata
            do {
                result = result.merged(with: try backend.consumer.consume(part))
                backend.succeeded.add()
            } catch {
                // A retryable failure wins: the client should send again rather than give up.
                if failure == nil || (error.isRetryable && !(failure?.isRetryable ?? false)) { failure = error }
                backend.failed.add()
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Makes the ring `endpoints`: new backends are built (and started when running), those that left stop
    /// receiving at once and drain in the background.
    func update(_ endpoints: [String]) {
        let wanted = Set(endpoints)
        let current = Set(state.withLock { $0.backends.keys })
        guard wanted != current else { return }
        var added: [String: Backend] = [:]
        for endpoint in wanted.subtracting(current).sorted() {
            do {
                var backend = try makeBackend(endpoint)
                let help = "Batches handed to each backend, by outcome."
                for success in ["true", "false"] {
                    let counter = registry.counter(
                        "otelcol_loadbalancer_backend_outcome_total", help: help,
                        labels: ["exporter": name, "endpoint": endpoint, "success": success])
                    if success == "true" { backend.succeeded = counter } else { backend.failed = counter }
                }
                added[endpoint] = backend
            } catch {
                logger.error(
                    "loadbalancing: cannot build backend",
                    metadata: ["exporter": "\(name)", "endpoint": "\(endpoint)", "error": "\(error)"])
            }
        }
        let (removed, removedTasks) = state.withLock { s -> ([String: Backend], [String: [Task<Void, Never>]]) in
            var removed: [String: Backend] = [:]
            var removedTasks: [String: [Task<Void, Never>]] = [:]
            for endpoint in current.subtracting(wanted) {
                removed[endpoint] = s.backends.removeValue(forKey: endpoint)
                removedTasks[endpoint] = s.tasks.removeValue(forKey: endpoint)
            }
            for (endpoint, backend) in added {
                s.backends[endpoint] = backend
                if s.running { s.tasks[endpoint] = backend.parts.map { part in Task { await part.run() } } }
            }
            s.ring = HashRing(Array(s.backends.keys))
            numBackends.set(s.backends.count)
            return (removed, removedTasks)
        }
        logger.info(
            "loadbalancing: backends changed",
            metadata: [
                "exporter": "\(name)", "signal": "\(Data.signal.rawValue)",
                "added": "\(added.keys.sorted())", "removed": "\(removed.keys.sorted())",
            ])
        for (endpoint, backend) in removed {
            let tasks = removedTasks[endpoint] ?? []
            let timeout = drainTimeout
            Task { await Self.finish(backend, tasks, timeout: timeout) }
        }
    }

    /// Runs every backend until `stop`, then drains them all (each within the gateway's shutdown timeout, after
    /// which the gateway cancels this part and with it the backends).
    func run(resolve: @escaping @Sendable () async -> Void) async {
        let started = state.withLock { s -> [String: [Task<Void, Never>]] in
            s.running = true
            for (endpoint, backend) in s.backends where s.tasks[endpoint] == nil {
                s.tasks[endpoint] = backend.parts.map { part in Task { await part.run() } }
            }
            return s.tasks
        }
        _ = started
        let resolver = Task { await resolve() }
        await withTaskCancellationHandler {
            await stop.wait()
        } onCancel: {
            resolver.cancel()
            let tasks = state.withLock { $0.tasks.values.flatMap { $0 } }
            for task in tasks { task.cancel() }
        }
        resolver.cancel()
        await resolver.value
        let all = state.withLock { s -> [(Backend, [Task<Void, Never>])] in
            s.running = false
            return s.backends.map { ($0.value, s.tasks[$0.key] ?? []) }
        }
        await withTaskGroup(of: Void.self) { group in
            for (backend, tasks) in all {
                group.addTask { await Self.finish(backend, tasks, timeout: nil) }
            }
        }
    }

    /// Drains a backend's parts (or cancels those without a drain), waiting at most `timeout` before cancelling.
    static func finish(_ backend: Backend, _ tasks: [Task<Void, Never>], timeout: Duration?) async {
        for (part, task) in zip(backend.parts, tasks) {
            if let drain = part.drain { drain() } else { task.cancel() }
        }
        let deadline = timeout.map { timeout in
            Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                for task in tasks { task.cancel() }
            }
        }
        for task in tasks { await task.value }
        deadline?.cancel()
    }
}
