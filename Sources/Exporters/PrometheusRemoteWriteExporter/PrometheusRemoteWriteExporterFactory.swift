public import ComponentKit
public import GatewayCore
internal import Logging
internal import MetricStore
internal import PrometheusTranslation
internal import SelfTelemetry
internal import Synchronization

extension PrometheusRemoteWriteExporterConfig: ComponentConfig {
    public func signalProblem(_ signal: Signal) -> String? { signal == .metrics ? nil : "supports metrics only" }
}

/// `prometheusremotewrite`: pushes the current state of a metric store with Prometheus remote write 1.0.
///
/// The store is shared with every other exporter whose translation settings are equal (a `prometheus` exporter
/// beside it), and a pipeline listing both writes into it once.
public struct PrometheusRemoteWriteExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["prometheusremotewrite"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        PrometheusRemoteWriteExporterConfig(from: reader, context: context)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let c = config as? PrometheusRemoteWriteExporterConfig else {
            throw ComponentBuildError("not a prometheusremotewrite config")
        }
        let id = context.id
        let settings = MetricStore.Settings(
            strategy: PrometheusTranslation.PrometheusTranslationStrategy(rawValue: c.translation.rawValue)
                ?? .underscoreEscaping,
            namespace: c.namespace, addSuffixes: true, promoteResourceAttributes: c.promoteResourceAttributes,
            promoteAllResourceAttributes: c.resourceToTelemetryConversionEnabled, targetInfo: c.targetInfoEnabled,
            staleAfter: c.staleAfter, maxSeriesPerMetric: c.maxSeriesPerMetric)
        var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var setter: (any RequestHeadersSetter)?
        if let auth = c.authenticator {
            let resolved = try ExporterAuthWiring.resolve(auth, context, key: "exporters.\(id).auth.authenticator")
            if let authorization = resolved.authorization { headers.append(("Authorization", authorization)) }
            setter = resolved.setter
        }
        let encoder = RemoteWriteEncoder(
            externalLabels: c.externalLabels.map { PrometheusLabel(name: $0.key, value: $0.value) },
            nativeHistograms: c.sendNativeHistograms, maxBytes: c.maxBatchSizeBytes)
        let retry = RetryPolicy(
            enabled: c.retryOnFailure.enabled, initialInterval: c.retryOnFailure.initialInterval,
            maxInterval: c.retryOnFailure.maxInterval,
            maxElapsed: c.retryOnFailure.maxElapsedTime, multiplier: c.retryOnFailure.multiplier)
        let tls = try ClientTLSWiring.make(
            id, c.tls, enabled: c.usesTLS, applicationProtocols: ClientTLSWiring.http1Protocols, logger: context.logger)
        let (registry, logger, inspection) = (context.registry, context.logger, context.inspection)
        let make: @Sendable (MetricStore, [(String, String)]) -> PrometheusRemoteWriteExporter = { store, headers in
            PrometheusRemoteWriteExporter(
                name: id.description,
                settings: .init(
                    host: c.host, port: c.port, path: c.path, headers: headers, timeout: c.timeout,
                    interval: c.interval,
                    encoder: encoder, queueSize: c.remoteWriteQueue.queueSize,
                    numConsumers: c.remoteWriteQueue.enabled ? c.remoteWriteQueue.numConsumers : 1, retry: retry,
                    tls: tls),
                store: store, registry: registry, logger: logger)
        }
        let input: any Consumer<Metrics>
        if let setter, setter.usesMetadata {
            // Tenants: a store and a sender per distinct set of headers, so one tenant's series never share a
            // request (or a series) with another's.
            let parts = DynamicParts()
            let count = Mutex(0)
            input = TenantRemoteWrite(
                baseHeaders: headers, setter: setter, parts: parts, exporter: id.description, registry: registry
            ) { headers in
                // Numbered, not named by header values: a header set from metadata may be a credential.
                let tenant = count.withLock { n -> Int in
                    n += 1
                    return n
                }
                let store = MetricStore(settings: settings, registry: registry, name: "\(id) tenant \(tenant)")
                inspection.addMetricStore("\(id) tenant \(tenant)", store)
                return (store, make(store, headers))
            }
            context.addPart(.exporters, "exporters.\(id)", drain: { parts.finish() }) { await parts.run() }
        } else {
            let store = context.shared(settings) {
                MetricStore(settings: settings, registry: context.registry, name: id.description)
            }
            context.inspection.addMetricStore(id.description, store)
            if let setter { setter.apply(to: &headers, metadata: .empty) }
            let exporter = make(store, headers)
            context.addPart(.exporters, "exporters.\(id)", drain: { exporter.drain() }) { await exporter.run() }
            input = StoreIngestConsumer(store: store, exporter: id.description, registry: context.registry)
        }
        guard let consumer = input as? any Consumer<Data> else {
            throw ComponentBuildError("exporter \(id) supports metrics pipelines only")
        }
        return consumer
    }
}

/// The remote-write exporter's input when its headers come from request metadata (`headers_setter` with
/// `from_context`): each distinct set of headers (a tenant) gets its own metric store and sender, made on first
/// use; at most `maxTenants`, beyond which data is refused.
final class TenantRemoteWrite: Consumer, Sendable {
    typealias Data = Metrics

    static let maxTenants = 1000

    let baseHeaders: [(String, String)]
    let setter: any RequestHeadersSetter
    let exporter: String
    let registry: TelemetryRegistry
    let make: @Sendable ([(String, String)]) -> (MetricStore, PrometheusRemoteWriteExporter)
    /// Each tenant's input: the same consumer a single store has, counting what its store accepts.
    private let tenants: KeyedParts<[String], StoreIngestConsumer>

    init(
        baseHeaders: [(String, String)], setter: any RequestHeadersSetter, parts: DynamicParts, exporter: String,
        registry: TelemetryRegistry,
        make: @escaping @Sendable ([(String, String)]) -> (MetricStore, PrometheusRemoteWriteExporter)
    ) {
        self.baseHeaders = baseHeaders
        self.setter = setter
        self.exporter = exporter
        self.registry = registry
        self.make = make
        tenants = KeyedParts(
            limit: Self.maxTenants, refusal: "more than \(Self.maxTenants) tenants for one remote-write exporter",
            parts: parts)
    }

    func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult {
        var headers = baseHeaders
        setter.apply(to: &headers, metadata: data.metadata)
        let input = try tenants.instance(for: headers.flatMap { [$0.0.lowercased(), $0.1] }) {
            let (store, sender) = make(headers)
            return (
                StoreIngestConsumer(store: store, exporter: exporter, registry: registry),
                Part(stage: .exporters, name: "remote write tenant", drain: { sender.drain() }) { await sender.run() }
            )
        }
        return try input.consume(data)
    }
}
