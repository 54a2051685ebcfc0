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
}

/// A configured connector, by type. No connector type is supported yet, so no value can exist; the
/// `connectors` section still parses and each entry is refused as an unknown type.
public enum ConnectorConfig: Sendable, Equatable {}

/// A configured extension, by type.
public enum ExtensionConfig: Sendable, Equatable {
    /// `health_check`
    case healthCheck(HealthCheckConfig)
}
