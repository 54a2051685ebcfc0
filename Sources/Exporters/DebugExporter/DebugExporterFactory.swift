public import ComponentKit
public import GatewayCore

extension DebugExporterConfig: ComponentConfig {}

/// `debug`: counts what it is given and, at higher verbosity, writes it out.
public struct DebugExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["debug"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        DebugExporterConfig(from: reader)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let d = config as? DebugExporterConfig else { throw ComponentBuildError("not a debug config") }
        return DebugExporter<Data>(
            name: context.id.description,
            verbosity: DebugExporter<Data>.Verbosity(rawValue: d.verbosity.rawValue) ?? .basic,
            registry: context.registry)
    }
}
