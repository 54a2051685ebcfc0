public import ComponentKit
public import GatewayCore
internal import Logging
internal import SelfTelemetry

/// `loadbalancing`: routes traces (by trace id or service), metrics (by service, resource, metric or stream) and
/// logs (by trace id) to a ring of backends, each an `otlp` exporter made with `protocol.otlp`'s settings.
public struct LoadBalancingExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["loadbalancing"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        LoadBalancingConfig(from: reader, context: context)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let c = config as? LoadBalancingConfig, c.backendFactory != nil else {
            throw ComponentBuildError("not a loadbalancing config")
        }
        let made: Any
        switch Data.signal {
        case .traces: made = try Self.make(Traces.self, c, context)
        case .metrics: made = try Self.make(Metrics.self, c, context)
        case .logs: made = try Self.make(Logs.self, c, context)
        }
        guard let consumer = made as? any Consumer<Data> else {
            throw ComponentBuildError("exporters.\(context.id): cannot export \(Data.signal.rawValue)")
        }
        return consumer
    }

    static func make<D: Routable>(_: D.Type, _ c: LoadBalancingConfig, _ context: BuildContext) throws
        -> LoadBalancer<D>
    {
        guard let factory = c.backendFactory else { throw ComponentBuildError("no backend exporter type") }
        let id = context.id
        let children = context.children
        let backendConfig = c.backendConfig
        let balancer = LoadBalancer<D>(
            name: id.description, routingKey: c.routingKey, registry: context.registry, logger: context.logger
        ) { endpoint in
            guard let config = backendConfig(endpoint) else {
                throw ComponentBuildError("exporters.\(id): backend \(endpoint) is not a valid otlp endpoint")
            }
            // Each backend is an otlp exporter of its own: its self-metrics say `exporter="<id>/<endpoint>"`.
            let (backendContext, graph) = children.make(
                id: ComponentID(type: id.type, name: (id.name.map { $0 + "/" } ?? "") + endpoint))
            let consumer = try factory.build(config, as: D.self, backendContext)
            return LoadBalancer<D>.Backend(consumer: consumer, parts: graph.parts)
        }
        let resolve: @Sendable () async -> Void
        switch c.resolver {
        case .static(let hostnames):
            balancer.update(hostnames)
            resolve = {}
        case .dns(let hostname, let port, let interval, let timeout, let nameserver):
            resolve = Self.dnsLoop(
                balancer, hostname: hostname, port: port, interval: interval, timeout: timeout,
                nameserver: nameserver.flatMap(parseHostPort), registry: context.registry, logger: context.logger)
        }
        context.addPart(.exporters, "exporters.\(id) (\(D.signal.rawValue))", drain: { balancer.finish() }) {
            await balancer.run(resolve: resolve)
        }
        return balancer
    }

    /// Resolves `hostname` every `interval` (first at once) and makes its addresses the ring. A failed lookup keeps
    /// the ring as it is; each new failure reason is logged once.
    static func dnsLoop<D: Routable>(
        _ balancer: LoadBalancer<D>, hostname: String, port: Int, interval: Duration, timeout: Duration,
        nameserver: (host: String, port: Int)?, registry: TelemetryRegistry, logger: Logger
    ) -> @Sendable () async -> Void {
        let labels = ["exporter": balancer.name, "resolver": "dns"]
        let succeeded = registry.counter(
            "otelcol_loadbalancer_num_resolutions_total", help: "Resolutions performed by the resolver.",
            labels: labels.merging(["success": "true"]) { a, _ in a })
        let failed = registry.counter(
            "otelcol_loadbalancer_num_resolutions_total", help: "Resolutions performed by the resolver.",
            labels: labels.merging(["success": "false"]) { a, _ in a })
        let server = nameserver.map { "\($0.host):\($0.port)" }
        return {
            var lastFailure = ""
            await Periodic.run(
                every: interval, clock: ContinuousClock(), options: .init(tickAtStart: true, tickAtStop: false)
            ) {
                let result = await Task.detached { () -> Result<[String], DNSLookup.Failure> in
                    do throws(DNSLookup.Failure) {
                        return .success(try DNSLookup.resolve(hostname, nameserver: nameserver, timeout: timeout))
                    } catch {
                        return .failure(error)
                    }
                }.value
                switch result {
                case .success(let addresses):
                    succeeded.add()
                    lastFailure = ""
                    balancer.update(addresses.map { $0.contains(":") ? "[\($0)]:\(port)" : "\($0):\(port)" })
                case .failure(let failure):
                    failed.add()
                    if failure.description != lastFailure {
                        lastFailure = failure.description
                        logger.warning(
                            "loadbalancing: DNS resolution failed; keeping the current backends",
                            metadata: [
                                "exporter": "\(balancer.name)", "hostname": "\(hostname)",
                                "nameserver": "\(server ?? "system")", "error": "\(failure.description)",
                            ])
                    }
                }
            }
        }
    }
}
