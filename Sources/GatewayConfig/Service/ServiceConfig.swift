public import ComponentKit

/// What runs: `service`.
public struct ServiceConfig: Sendable, Equatable {
    /// `extensions`: IDs of the extensions to start, in order; each must be defined under `extensions`.
    /// Default none.
    public var extensions: [ComponentID]
    /// `pipelines`: the pipelines by ID (`traces`, `metrics/remote`); at least one.
    public var pipelines: [PipelineID: PipelineConfig]
    /// `telemetry`: the gateway's own metrics and logs. Default `TelemetryConfig()`.
    public var telemetry: TelemetryConfig
    /// `shutdown_timeout` (not in the Collector): on a graceful stop, how long exporters may take to drain their
    /// sending queues after receivers stopped and processors flushed. What an in-memory queue still holds then is
    /// counted and logged as dropped; a persistent queue keeps it. Default 20s, inside Kubernetes' default 30 s
    /// termination grace period.
    public var shutdownTimeout: Duration = .seconds(20)

    public init(
        extensions: [ComponentID] = [],
        pipelines: [PipelineID: PipelineConfig],
        telemetry: TelemetryConfig = TelemetryConfig()
    ) {
        self.extensions = extensions
        self.pipelines = pipelines
        self.telemetry = telemetry
    }
}

/// The IDs written in each component section, whether or not their configs decoded, so that a component
/// with a bad config is not also reported as undefined where it is referenced; and the exporters' configs.
struct DeclaredComponents {
    var receivers: Set<ComponentID> = []
    var processors: Set<ComponentID> = []
    var exporters: Set<ComponentID> = []
    var connectors: Set<ComponentID> = []
    var extensions: Set<ComponentID> = []
    /// The decoded exporters, problems or not, for checks that depend on their configs (which signals an
    /// exporter can take).
    var exporterConfigs: [ComponentID: any ComponentConfig] = [:]
    /// The decoded receivers, for the same kind of check on the other end of a pipeline.
    var receiverConfigs: [ComponentID: any ComponentConfig] = [:]
    /// The decoded processors, for the same check (an `attributes` processor matching on span names only fits a
    /// traces pipeline).
    var processorConfigs: [ComponentID: any ComponentConfig] = [:]
}

extension ServiceConfig {
    init(from reader: MappingReader, declared: DeclaredComponents) {
        let extensions = PipelineConfig.references(
            "extensions", in: reader, section: "extensions", defined: declared.extensions)
        var pipelines: [PipelineID: PipelineConfig] = [:]
        let written = reader.section("pipelines") { section in
            let entries = section.allEntries()
            for entry in entries {
                let (key, value) = (entry.key, entry.value)
                switch PipelineID.parse(key) {
                case .failure(let problem):
                    section.report(key, problem.message)
                case .success(let id):
                    let pipelineReader = MappingReader(value, at: section.path(key), diagnostics: section.diagnostics)
                    pipelines[id] = PipelineConfig(from: pipelineReader, signal: id.signal, declared: declared)
                    pipelineReader.finish()
                }
            }
            return entries.count
        }
        if (written ?? 0) == 0 {
            reader.report("pipelines", "must define at least one pipeline")
        }
        let telemetry = reader.section("telemetry", as: TelemetryConfig.self) ?? TelemetryConfig()
        self.init(extensions: extensions.ids, pipelines: pipelines, telemetry: telemetry)
        shutdownTimeout = reader.duration("shutdown_timeout", default: .seconds(20))
    }
}
