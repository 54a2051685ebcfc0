public import ComponentKit

#if canImport(FoundationEssentials)
    internal import FoundationEssentials
#else
    internal import Foundation
#endif

/// A validated `collector.yaml`, in the OpenTelemetry Collector's shape and key names.
///
/// Only a configuration without problems is ever returned: `load` and `parse` check every section, every
/// reference between sections, and report all problems together in one `ConfigError`.
public struct GatewayConfiguration: Sendable {
    /// `receivers`: every receiver defined, used or not.
    public var receivers: [ComponentID: any ComponentConfig]
    /// `processors`: every processor defined, used or not.
    public var processors: [ComponentID: any ComponentConfig]
    /// `exporters`: every exporter defined, used or not.
    public var exporters: [ComponentID: any ComponentConfig]
    /// `connectors`: every connector defined, used or not; each links an exporter slot of one pipeline to
    /// a receiver slot of another.
    public var connectors: [ComponentID: any ComponentConfig]
    /// `extensions`: every extension defined, started only when listed in `service.extensions`.
    public var extensions: [ComponentID: any ComponentConfig]
    /// `service`: the pipelines, the extensions to start and self-telemetry.
    public var service: ServiceConfig

    public init(
        receivers: [ComponentID: any ComponentConfig] = [:],
        processors: [ComponentID: any ComponentConfig] = [:],
        exporters: [ComponentID: any ComponentConfig] = [:],
        connectors: [ComponentID: any ComponentConfig] = [:],
        extensions: [ComponentID: any ComponentConfig] = [:],
        service: ServiceConfig
    ) {
        self.receivers = receivers
        self.processors = processors
        self.exporters = exporters
        self.connectors = connectors
        self.extensions = extensions
        self.service = service
    }

    /// Reads and validates the file at `path`, expanding `${env:...}` from the process environment; `components`
    /// are the types its sections may use.
    public static func load(path: String, components: ComponentTable) throws(ConfigError) -> GatewayConfiguration {
        try load(path: path, environment: ProcessInfo.processInfo.environment, components: components)
    }

    /// The largest configuration file read (4 MiB): Collector configs are kilobytes, and a Kubernetes ConfigMap
    /// holds at most 1 MiB. Anything larger is refused before it is read.
    public static let maxFileSize = 4 << 20

    /// Reads and validates the file at `path`, expanding `${env:...}` from `environment`.
    public static func load(path: String, environment: [String: String], components: ComponentTable)
        throws(ConfigError) -> GatewayConfiguration
    {
        let bytes: [UInt8]
        switch ConfigFile.load(path, limit: maxFileSize) {
        case .success(let read): bytes = read
        case .failure(let problem): throw ConfigError(problems: ["\(path): \(problem.message)"])
        }
        return try parse(yaml: String(decoding: bytes, as: UTF8.self), environment: environment, components: components)
    }

    /// Parses and validates YAML text, expanding `${env:...}` from `environment`.
    public static func parse(yaml: String, environment: [String: String], components: ComponentTable)
        throws(ConfigError) -> GatewayConfiguration
    {
        let diagnostics = Diagnostics()
        let configuration = ConfigurationDecoder(diagnostics: diagnostics, components: components).decode(
            yaml: yaml, expander: EnvironmentExpander(environment: environment))
        guard diagnostics.problems.isEmpty, let configuration else {
            throw ConfigError(problems: ConfigError.capped(diagnostics.problems))
        }
        return configuration
    }
}
