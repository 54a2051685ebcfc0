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
/// When a backend leaves the ring it stops receiving, and what it has not delivered (queued in memory or on disk,
/// or waiting to retry) is routed again over the ring as it is now, so it reaches the keys' new owners rather
/// than an address that may be gone (the Collector drains it to the old address). What the new owners refuse (a
/// full queue), and everything when no backend is left, is sent to the old address as before, for up to
/// `drainTimeout`; a persistent queue keeps what is still left. A part a backend refuses fails the whole batch
/// with that backend's error, so the client resends (at least once: parts other backends took may arrive twice).
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
    }

    let name: String
    let routingKey: LoadBalancingConfig.RoutingKey
    let makeBackend: @Sendable (String) throws -> Backend
    let logger: Logger
    let drainTimeout: Duration
    private let state = Mutex(State())
    private let numBackends: TelemetryGauge
    private let registry: TelemetryRegistry
    /// The backends' exporters, run (and stopped) as this exporter's parts, grouped by endpoint.
    private let parts = DynamicParts()
    private let resolver = Mutex<Task<Void, Never>?>(nil)

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
        let removed = state.withLock { s -> [(String, Backend)] in
            let removed = current.subtracting(wanted).sorted().compactMap { endpoint in
                s.backends.removeValue(forKey: endpoint).map { (endpoint, $0) }
            }
            for (endpoint, backend) in added { s.backends[endpoint] = backend }
            s.ring = HashRing(Array(s.backends.keys))
            numBackends.set(s.backends.count)
            return removed
        }
        for (endpoint, backend) in added {
            for part in backend.parts { parts.add(part, group: endpoint) }
        }
        logger.info(
            "loadbalancing: backends changed",
            metadata: [
                "exporter": "\(name)", "signal": "\(Data.signal.rawValue)",
                "added": "\(added.keys.sorted())", "removed": "\(removed.map(\.0))",
            ])
        let timeout = drainTimeout
        for (endpoint, backend) in removed {
            // Handed over before the drain starts, so nothing queued goes to the old address first. With no backend
            // left the ring refuses the offers, and the old address gets them as before.
            if let handover = backend.consumer as? any QueueHandover<Data> {
                handover.handOver { [self] data in reroute(data) }
            }
            Task { await parts.remove(group: endpoint, within: timeout) }
        }
    }

    /// A leaving backend's undelivered request, routed over the ring as it is now: true when every part was taken.
    private func reroute(_ data: Data) -> Bool {
        do {
            _ = try consume(data)
            return true
        } catch {
            return false
        }
    }

    /// Runs the resolver and every backend until `finish()`, then drains the backends (within the gateway's
    /// shutdown timeout, after which the gateway cancels this part and with it the backends).
    func run(resolve: @escaping @Sendable () async -> Void) async {
        let task = Task { await resolve() }
        resolver.withLock { $0 = task }
        await withTaskCancellationHandler {
            await parts.run()
        } onCancel: {
            task.cancel()
        }
        task.cancel()
        await task.value
    }

    /// Ends `run()`: the resolver stops first, so no backend joins while the others drain.
    func finish() {
        resolver.withLock { $0 }?.cancel()
        parts.finish()
    }
}
