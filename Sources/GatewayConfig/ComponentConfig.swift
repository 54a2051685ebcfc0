internal import GatewayCore

/// A configured receiver, by type.
public enum ReceiverConfig: Sendable, Equatable {
    /// `otlp`
    case otlp(OTLPReceiverConfig)
    /// `engine`: the built-in inference engine as a producer of metrics and traces.
    case engine(EngineReceiverConfig)
    /// `hostmetrics`: CPU, memory, load, this process and GPUs.
    case hostMetrics(HostMetricsReceiverConfig)
}

extension ReceiverConfig {
    /// Why this receiver cannot feed a pipeline of `signal`, as the end of a problem message that starts with
    /// its ID; nil when it can.
    func signalProblem(_ signal: Signal) -> String? {
        switch self {
        case .hostMetrics where signal != .metrics:
            return "produces metrics only"
        case .engine where signal == .logs:
            return "produces metrics and traces only"
        default:
            return nil
        }
    }
}

/// A configured processor, by type.
public enum ProcessorConfig: Sendable, Equatable {
    /// `batch`
    case batch(BatchProcessorConfig)
    /// `memory_limiter`: refuses data while the gateway's memory is above its limit.
    case memoryLimiter(MemoryLimiterProcessorConfig)
}

/// A configured exporter, by type.
public enum ExporterConfig: Sendable, Equatable {
    /// `debug`
    case debug(DebugExporterConfig)
    /// `prometheusremotewrite`: pushes metrics with Prometheus remote write 1.0.
    case prometheusRemoteWrite(PrometheusRemoteWriteExporterConfig)
    /// `prometheus`: serves metrics for Prometheus to scrape.
    case prometheus(PrometheusExporterConfig)
    /// `otlp` (or `otlp_grpc`): sends OTLP over gRPC.
    case otlp(OTLPExporterConfig)
    /// `otlphttp` (or `otlp_http`): posts OTLP over HTTP.
    case otlpHTTP(OTLPHTTPExporterConfig)
    /// `memory`: keeps recent traces and serves a Tempo-compatible query API.
    case memory(MemoryExporterConfig)
}

/// A configured connector, by type: an exporter of one pipeline and a receiver of another.
public enum ConnectorConfig: Sendable, Equatable {
    /// `spanmetrics`: turns the spans of `traces` pipelines into metrics for `metrics` pipelines.
    case spanMetrics(SpanMetricsConnectorConfig)
}

/// A configured extension, by type.
public enum ExtensionConfig: Sendable, Equatable {
    /// `health_check`
    case healthCheck(HealthCheckConfig)
    /// `basicauth`: HTTP Basic credentials for exporters that name it in `auth.authenticator`.
    case basicAuth(BasicAuthConfig)
    /// `bearertokenauth`: a bearer token for exporters that name it in `auth.authenticator`.
    case bearerTokenAuth(BearerTokenAuthConfig)
    /// `file_storage`: a directory for exporters' persistent sending queues (`sending_queue.storage`).
    case fileStorage(FileStorageConfig)
}

extension ExporterConfig {
    /// Why this exporter cannot be used in a pipeline of `signal`, as the end of a problem message that
    /// starts with its ID; nil when it can.
    func signalProblem(_ signal: Signal) -> String? {
        switch self {
        case .memory where signal != .traces:
            return "supports traces only"
        case .prometheus where signal != .metrics, .prometheusRemoteWrite where signal != .metrics:
            return "supports metrics only"
        case .otlpHTTP(let config) where config.url(for: signal) == nil:
            // Without any URL the exporter's own section has a problem already.
            guard Signal.allCases.contains(where: { config.url(for: $0) != nil }) else { return nil }
            return "has no URL for \(signal.rawValue); set endpoint or \(signal.rawValue)_endpoint"
        default:
            return nil
        }
    }
}
