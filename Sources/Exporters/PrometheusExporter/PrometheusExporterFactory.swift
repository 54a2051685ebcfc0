public import ComponentKit
public import GatewayCore
internal import Logging
internal import MetricStore
internal import NIOPosix
internal import PrometheusTranslation
internal import SelfTelemetry

extension PrometheusExporterConfig: ComponentConfig {
    public func signalProblem(_ signal: Signal) -> String? { signal == .metrics ? nil : "supports metrics only" }
}

/// `prometheus`: serves the current state of a metric store for Prometheus to scrape.
///
/// The store is shared with every other exporter whose translation settings are equal (a `prometheusremotewrite`
/// exporter beside it), and a pipeline listing both writes into it once.
public struct PrometheusExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["prometheus"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        PrometheusExporterConfig(from: reader)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let c = config as? PrometheusExporterConfig else { throw ComponentBuildError("not a prometheus config") }
        let id = context.id
        guard let (host, port) = parseHostPort(c.endpoint) else {
            throw ComponentBuildError("exporters.\(id).endpoint: invalid")
        }
        let settings = MetricStore.Settings(
            strategy: PrometheusTranslation.PrometheusTranslationStrategy(rawValue: c.translation.rawValue)
                ?? .underscoreEscaping,
            namespace: c.namespace, addSuffixes: c.addMetricSuffixes,
            promoteResourceAttributes: c.promoteResourceAttributes,
            promoteAllResourceAttributes: c.resourceToTelemetryConversionEnabled, targetInfo: c.targetInfoEnabled,
            staleAfter: c.metricExpiration, maxSeriesPerMetric: c.maxSeriesPerMetric)
        let store = context.shared(settings) {
            MetricStore(settings: settings, registry: context.registry, name: id.description)
        }
        context.inspection.addMetricStore(id.description, store)
        let exporter = PrometheusExporter(
            name: id.description, host: host, port: port, store: store,
            constLabels: c.constLabels.map { PrometheusLabel(name: $0.key, value: $0.value) },
            enableOpenMetrics: c.enableOpenMetrics,
            tls: try ListenerSecurityWiring.endpointTLS(c.tls, path: "exporters.\(id)"), logger: context.logger)
        let logger = context.logger
        context.addPart(.exporters, "exporters.\(id)") {
            do { try await exporter.run(group: MultiThreadedEventLoopGroup.singleton) } catch {
                logger.error("prometheus exporter stopped", metadata: ["exporter": "\(id)", "error": "\(error)"])
            }
        }
        let input = StoreIngestConsumer(store: store, exporter: id.description, registry: context.registry)
        guard let consumer = input as? any Consumer<Data> else {
            throw ComponentBuildError("exporter \(id) supports metrics pipelines only")
        }
        return consumer
    }
}
