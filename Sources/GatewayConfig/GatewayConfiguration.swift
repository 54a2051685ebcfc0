#if canImport(FoundationEssentials)
    internal import FoundationEssentials
#else
    internal import Foundation
#endif

/// A validated `collector.yaml`, in the OpenTelemetry Collector's shape and key names.
///
/// Only a configuration without problems is ever returned: `load` and `parse` check every section, every
/// reference between sections, and report all problems together in one `ConfigError`.
public struct GatewayConfiguration: Sendable, Equatable {
    /// `receivers`: every receiver defined, used or not.
    public var receivers: [ComponentID: ReceiverConfig]
    /// `processors`: every processor defined, used or not.
    public var processors: [ComponentID: ProcessorConfig]
    /// `exporters`: every exporter defined, used or not.
    public var exporters: [ComponentID: ExporterConfig]
    /// `connectors`: every connector defined, used or not; each links an exporter slot of one pipeline to
    /// a receiver slot of another.
    public var connectors: [ComponentID: ConnectorConfig]
    /// `extensions`: every extension defined, started only when listed in `service.extensions`.
    public var extensions: [ComponentID: ExtensionConfig]
    /// `service`: the pipelines, the extensions to start and self-telemetry.
    public var service: ServiceConfig

    public init(
        receivers: [ComponentID: ReceiverConfig] = [:],
        processors: [ComponentID: ProcessorConfig] = [:],
        exporters: [ComponentID: ExporterConfig] = [:],
        connectors: [ComponentID: ConnectorConfig] = [:],
        extensions: [ComponentID: ExtensionConfig] = [:],
        service: ServiceConfig
    ) {
        self.receivers = receivers
        self.processors = processors
        self.exporters = exporters
        self.connectors = connectors
        self.extensions = extensions
        self.service = service
    }

    /// Reads and validates the file at `path`, expanding `${env:...}` from the process environment.
    public static func load(path: String) throws(ConfigError) -> GatewayConfiguration {
        try load(path: path, environment: ProcessInfo.processInfo.environment)
    }

    /// The largest configuration file read (4 MiB): Collector configs are kilobytes, and a Kubernetes ConfigMap
    /// holds at most 1 MiB. Anything larger is refused before it is read.
    public static let maxFileSize = 4 << 20

    /// Reads and validates the file at `path`, expanding `${env:...}` from `environment`.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        let bytes: [UInt8]
        switch ConfigFile.load(path, limit: maxFileSize) {
        case .success(let read): bytes = read
        case .failure(let problem): throw ConfigError(problems: ["\(path): \(problem.message)"])
        }
        return try parse(yaml: String(decoding: bytes, as: UTF8.self), environment: environment)
    }

    /// Parses and validates YAML text, expanding `${env:...}` from `environment`.
    public static func parse(yaml: String, environment: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        let diagnostics = Diagnostics()
        let configuration = ConfigurationDecoder(diagnostics: diagnostics).decode(
            yaml: yaml, expander: EnvironmentExpander(environment: environment))
        guard diagnostics.problems.isEmpty, let configuration else {
            throw ConfigError(problems: ConfigError.capped(diagnostics.problems))
        }
        return configuration
    }
}
