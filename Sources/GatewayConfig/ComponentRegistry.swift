internal import GatewayCore

/// Decodes one component's config from its mapping; the context holds what the component may refer to in
/// other sections (extensions, for exporters that authenticate).
typealias ComponentDecoder<Config> = @Sendable (MappingReader, DecodingContext) -> Config

/// The component types this gateway knows, per kind, keyed by the type name used in YAML.
///
/// Adding a component type is one entry here, one case in its kind's enum (`ComponentConfig.swift`) and
/// one file with its config; a connector type also names the signals it connects in `connectorSignals`, and
/// an exporter limited to some signals says so in `ExporterConfig.signalProblem`.
enum ComponentRegistry {
    static let receivers: [String: ComponentDecoder<ReceiverConfig>] = [
        "otlp": { reader, context in .otlp(OTLPReceiverConfig(from: reader, context: context)) },
        "engine": { reader, _ in .engine(EngineReceiverConfig(from: reader)) },
        "hostmetrics": { reader, _ in .hostMetrics(HostMetricsReceiverConfig(from: reader)) },
    ]

    static let processors: [String: ComponentDecoder<ProcessorConfig>] = [
        "batch": { reader, _ in .batch(BatchProcessorConfig(from: reader)) },
        "memory_limiter": { reader, _ in .memoryLimiter(MemoryLimiterProcessorConfig(from: reader)) },
    ]

    static let exporters: [String: ComponentDecoder<ExporterConfig>] = [
        "debug": { reader, _ in .debug(DebugExporterConfig(from: reader)) },
        "prometheusremotewrite": { reader, context in
            .prometheusRemoteWrite(PrometheusRemoteWriteExporterConfig(from: reader, context: context))
        },
        "prometheus": { reader, _ in .prometheus(PrometheusExporterConfig(from: reader)) },
        "otlp": otlp,
        "otlp_grpc": otlp,
        "otlphttp": otlpHTTP,
        "otlp_http": otlpHTTP,
        "memory": { reader, _ in .memory(MemoryExporterConfig(from: reader)) },
    ]

    /// `otlp`, also written `otlp_grpc` (the Collector's name since v0.144).
    private static let otlp: ComponentDecoder<ExporterConfig> = { reader, context in
        .otlp(OTLPExporterConfig(from: reader, context: context))
    }

    /// `otlphttp`, also written `otlp_http` (the Collector's name since v0.144).
    private static let otlpHTTP: ComponentDecoder<ExporterConfig> = { reader, context in
        .otlpHTTP(OTLPHTTPExporterConfig(from: reader, context: context))
    }

    static let connectors: [String: ComponentDecoder<ConnectorConfig>] = [
        "spanmetrics": { reader, _ in .spanMetrics(SpanMetricsConnectorConfig(from: reader)) }
    ]

    /// The signal of the pipelines each connector type is an exporter of (`from`), and of those it is a
    /// receiver of (`to`).
    static let connectorSignals: [String: (from: Signal, to: Signal)] = [
        "spanmetrics": (from: .traces, to: .metrics)
    ]

    static let extensions: [String: ComponentDecoder<ExtensionConfig>] = [
        "health_check": { reader, _ in .healthCheck(HealthCheckConfig(from: reader)) },
        "basicauth": { reader, _ in .basicAuth(BasicAuthConfig(from: reader)) },
        "bearertokenauth": { reader, _ in .bearerTokenAuth(BearerTokenAuthConfig(from: reader)) },
        "file_storage": { reader, _ in .fileStorage(FileStorageConfig(from: reader)) },
    ]
}
