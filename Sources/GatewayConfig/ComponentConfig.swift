/// A configured receiver, by type.
public enum ReceiverConfig: Sendable, Equatable {
    /// `otlp`
    case otlp(OTLPReceiverConfig)
}

/// A configured processor, by type.
public enum ProcessorConfig: Sendable, Equatable {
    /// `batch`
    case batch(BatchProcessorConfig)
}

/// A configured exporter, by type.
public enum ExporterConfig: Sendable, Equatable {
    /// `debug`
    case debug(DebugExporterConfig)
    /// `prometheusremotewrite`: pushes metrics with Prometheus remote write 1.0.
    case prometheusRemoteWrite(PrometheusRemoteWriteExporterConfig)
    /// `prometheus`: serves metrics for Prometheus to scrape.
    case prometheus(PrometheusExporterConfig)
}

/// A configured connector, by type. No connector type is supported yet, so no value can exist; the
/// `connectors` section still parses and each entry is refused as an unknown type.
public enum ConnectorConfig: Sendable, Equatable {}

/// A configured extension, by type.
public enum ExtensionConfig: Sendable, Equatable {
    /// `health_check`
    case healthCheck(HealthCheckConfig)
    /// `basicauth`: HTTP Basic credentials for exporters that name it in `auth.authenticator`.
    case basicAuth(BasicAuthConfig)
    /// `bearertokenauth`: a bearer token for exporters that name it in `auth.authenticator`.
    case bearerTokenAuth(BearerTokenAuthConfig)
}
