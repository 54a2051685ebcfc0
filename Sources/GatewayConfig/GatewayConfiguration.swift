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

    /// Reads and validates the file at `path`, expanding `${env:...}` from `environment`.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(problems: ["\(path): cannot read the file: \(error)"])
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), environment: environment)
    }

    /// Parses and validates YAML text, expanding `${env:...}` from `environment`.
    public static func parse(yaml: String, environment: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        let diagnostics = Diagnostics()
        let configuration = ConfigurationDecoder(diagnostics: diagnostics).decode(
            yaml: yaml, expander: EnvironmentExpander(environment: environment))
        guard diagnostics.problems.isEmpty, let configuration else {
            throw ConfigError(problems: diagnostics.problems)
        }
        return configuration
    }
}
