/// Decodes one component's config from its mapping; the context holds what the component may refer to in
/// other sections (extensions, for exporters that authenticate).
typealias ComponentDecoder<Config> = @Sendable (MappingReader, DecodingContext) -> Config

/// The component types this gateway knows, per kind, keyed by the type name used in YAML.
///
/// Adding a component type is one entry here, one case in its kind's enum (`ComponentConfig.swift`) and
/// one file with its config.
enum ComponentRegistry {
    static let receivers: [String: ComponentDecoder<ReceiverConfig>] = [
        "otlp": { reader, _ in .otlp(OTLPReceiverConfig(from: reader)) }
    ]

    static let processors: [String: ComponentDecoder<ProcessorConfig>] = [
        "batch": { reader, _ in .batch(BatchProcessorConfig(from: reader)) }
    ]

    static let exporters: [String: ComponentDecoder<ExporterConfig>] = [
        "debug": { reader, _ in .debug(DebugExporterConfig(from: reader)) },
        "prometheusremotewrite": { reader, context in
            .prometheusRemoteWrite(PrometheusRemoteWriteExporterConfig(from: reader, context: context))
        },
        "prometheus": { reader, _ in .prometheus(PrometheusExporterConfig(from: reader)) },
    ]

    static let connectors: [String: ComponentDecoder<ConnectorConfig>] = [:]

    static let extensions: [String: ComponentDecoder<ExtensionConfig>] = [
        "health_check": { reader, _ in .healthCheck(HealthCheckConfig(from: reader)) },
        "basicauth": { reader, _ in .basicAuth(BasicAuthConfig(from: reader)) },
        "bearertokenauth": { reader, _ in .bearerTokenAuth(BearerTokenAuthConfig(from: reader)) },
    ]
}
