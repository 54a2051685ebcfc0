public import ComponentKit
public import GatewayCore
internal import Logging
internal import MetricStore
internal import PrometheusTranslation
internal import SelfTelemetry

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
        let store = context.shared(settings) {
            MetricStore(settings: settings, registry: context.registry, name: id.description)
        }
        context.inspection.addMetricStore(id.description, store)
        var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let auth = c.authenticator {
            let authenticator = try context.extensionAs(
                auth, (any ClientAuthenticator).self, key: "exporters.\(id).auth.authenticator")
            headers.append(("Authorization", try authenticator.authorizationHeader()))
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
        let exporter = PrometheusRemoteWriteExporter(
            name: id.description,
            settings: .init(
                host: c.host, port: c.port, path: c.path, headers: headers, timeout: c.timeout,
                interval: c.interval,
                encoder: encoder, queueSize: c.remoteWriteQueue.queueSize,
                numConsumers: c.remoteWriteQueue.enabled ? c.remoteWriteQueue.numConsumers : 1, retry: retry,
                tls: tls),
            store: store, registry: context.registry, logger: context.logger)
        context.addPart(.exporters, "exporters.\(id)", drain: { exporter.drain() }) { await exporter.run() }
        let input = StoreIngestConsumer(store: store, exporter: id.description, registry: context.registry)
        guard let consumer = input as? any Consumer<Data> else {
            throw ComponentBuildError("exporter \(id) supports metrics pipelines only")
        }
        return consumer
    }
}
