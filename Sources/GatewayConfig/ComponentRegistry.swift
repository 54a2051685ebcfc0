/// Decodes one component's config from its mapping.
typealias ComponentDecoder<Config> = @Sendable (MappingReader) -> Config

/// The component types this gateway knows, per kind, keyed by the type name used in YAML.
///
/// Adding a component type is one entry here, one case in its kind's enum (`ComponentConfig.swift`) and
/// one file with its config.
enum ComponentRegistry {
    static let receivers: [String: ComponentDecoder<ReceiverConfig>] = [
        "otlp": { .otlp(OTLPReceiverConfig(from: $0)) }
    ]

    static let processors: [String: ComponentDecoder<ProcessorConfig>] = [
        "batch": { .batch(BatchProcessorConfig(from: $0)) }
    ]

    static let exporters: [String: ComponentDecoder<ExporterConfig>] = [
        "debug": { .debug(DebugExporterConfig(from: $0)) }
    ]

    static let connectors: [String: ComponentDecoder<ConnectorConfig>] = [:]

    static let extensions: [String: ComponentDecoder<ExtensionConfig>] = [
        "health_check": { .healthCheck(HealthCheckConfig(from: $0)) }
    ]
}
