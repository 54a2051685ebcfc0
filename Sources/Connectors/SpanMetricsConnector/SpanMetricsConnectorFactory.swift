public import ComponentKit
public import GatewayCore
internal import Logging

extension SpanMetricsConnectorConfig: ComponentConfig {}

/// `spanmetrics`: an exporter of traces pipelines and a receiver of metrics pipelines, turning spans into
/// request, error and duration metrics.
public struct SpanMetricsConnectorFactory: ConnectorFactory {
    public init() {}

    public var types: [String] { ["spanmetrics"] }

    public var signals: (from: Signal, to: Signal) { (from: .traces, to: .metrics) }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        SpanMetricsConnectorConfig(from: reader)
    }

    public func build<From: TelemetryData, To: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<To>, as signal: From.Type, _ context: BuildContext
    ) throws -> any Consumer<From> {
        guard let c = config as? SpanMetricsConnectorConfig else {
            throw ComponentBuildError("not a spanmetrics config")
        }
        let id = context.id
        guard let metrics = next as? any Consumer<Metrics> else {
            throw ComponentBuildError("connectors.\(id): feeds metrics pipelines only")
        }
        let settings = SpanMetricsConnector.Settings(
            buckets: c.histogramBuckets.map(\.seconds),
            dimensions: c.dimensions.map {
                SpanMetricsConnector.Dimension(name: $0.name, defaultValue: $0.defaultValue)
            },
            exemplars: c.exemplarsEnabled, flushInterval: c.metricsFlushInterval, namespace: c.namespace,
            delta: c.aggregationTemporality == .delta, maxSeries: c.maxSeries)
        let connector = SpanMetricsConnector(
            name: id.description, settings: settings, next: metrics, registry: context.registry,
            logger: context.logger, now: { WallClock.nowUnixNano() })
        context.addPart(.connectors, "connectors.\(id)") { await connector.run() }
        guard let input = connector as? any Consumer<From> else {
            throw ComponentBuildError("connectors.\(id): is an exporter of traces pipelines only")
        }
        return input
    }
}
