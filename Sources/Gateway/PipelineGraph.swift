public import ComponentKit
public import GatewayConfig
public import GatewayCore
public import Logging
public import SelfTelemetry

/// Builds the running components from a validated configuration through the factories of the component table:
/// the extensions listed in `service.extensions` first, then per pipeline its exporters (one instance per exporter
/// ID and signal, shared by that signal's pipelines) and processors (one instance per pipeline, as in the
/// Collector), then the receivers with a fan-out to every pipeline that lists them.
///
/// The graph knows no component type: everything it needs of one is in ComponentKit's protocols.
public struct PipelineGraph: Sendable {
    /// Network listeners, started once everything is built and shut down first on a stop.
    public var listeners: [any Listener] = []
    /// Long-running parts (engine, batch timers, connectors, senders, endpoints), run for the gateway's lifetime
    /// and stopped stage by stage; each finishes its work (flush, final write) when stopped.
    public var parts: [Part] = []
    /// Started extensions in `service.extensions` order: started before the pipelines, shut down after them.
    public var extensions: [(id: ComponentID, extension: any Extension)] = []

    public init() {}

    public static func build(
        _ config: GatewayConfiguration, components: ComponentTable, registry: TelemetryRegistry, logger: Logger,
        health: HealthStatus = HealthStatus(), inspection: GraphInspection? = nil
    ) throws -> PipelineGraph {
        let builder = GraphBuilder(registry: registry, logger: logger, health: health, inspection: inspection)
        var graph = PipelineGraph()
        builder.inspection.shape = shape(of: config)

        // Extensions other components use (authenticators, storage) are built first, so that an extension may
        // name another whatever the order of `service.extensions`; the rest keep their order.
        let offering = config.service.extensions.filter {
            !(components.extensions[$0.type]?.capabilities.isEmpty ?? true)
        }
        for id in offering + config.service.extensions.filter({ !offering.contains($0) }) {
            guard let extensionConfig = config.extensions[id], let factory = components.extensions[id.type] else {
                throw ComponentBuildError("extensions.\(id): not defined")
            }
            let started = try factory.build(extensionConfig, BuildContext(id: id, graph: builder))
            builder.extensions[id] = started
            graph.extensions.append((id, started))
        }

        let assembly = Assembly(config: config, components: components, builder: builder)
        for signal in try signalOrder(config, components) {
            let pipelines = config.service.pipelines.filter { $0.key.signal == signal }.sorted {
                $0.key.description < $1.key.description
            }
            for (pipelineID, pipeline) in pipelines {
                // Built on a copy: a connector reads the entries of other signals meanwhile.
                switch signal {
                case .traces:
                    var entry = assembly.traces
                    try entry.add(pipelineID, pipeline, assembly)
                    assembly.traces = entry
                case .metrics:
                    var entry = assembly.metrics
                    try entry.add(pipelineID, pipeline, assembly)
                    assembly.metrics = entry
                case .logs:
                    var entry = assembly.logs
                    try entry.add(pipelineID, pipeline, assembly)
                    assembly.logs = entry
                }
            }
        }

        let receiverIDs = Set(config.service.pipelines.values.flatMap(\.receivers)).sorted {
            $0.description < $1.description
        }
        let connectionShare = ConnectionBudget.share(
            configured: receiverIDs.flatMap { (config.receivers[$0] as? any ListenerConfig)?.maxConnections ?? [] },
            openFilesLimit: ConnectionBudget.openFilesLimit(), logger: logger)
        for id in receiverIDs {
            // Connectors appear in pipelines' receiver lists too; they were built as exporters.
            guard let receiverConfig = config.receivers[id], let factory = components.receivers[id.type] else {
                continue
            }
            try factory.build(
                receiverConfig,
                ReceiverContext(
                    base: BuildContext(id: id, graph: builder), traces: assembly.traces.consumer(for: id),
                    metrics: assembly.metrics.consumer(for: id), logs: assembly.logs.consumer(for: id),
                    admission: assembly.admission[id] ?? MemoryAdmission(), connectionShare: connectionShare))
        }
        graph.listeners = builder.listeners
        graph.parts = builder.parts
        return graph
    }

    /// The configured graph as pages show it.
    static func shape(of config: GatewayConfiguration) -> GraphInspection.Shape {
        let pipelines = config.service.pipelines.sorted { $0.key.description < $1.key.description }.map {
            GraphInspection.Pipeline(
                id: $0.key.description, signal: $0.key.signal.rawValue,
                receivers: $0.value.receivers.map(\.description),
                processors: $0.value.processors.map(\.description), exporters: $0.value.exporters.map(\.description))
        }
        return GraphInspection.Shape(
            pipelines: pipelines, connectors: Set(config.connectors.keys.map(\.description)),
            extensions: config.service.extensions.map(\.description))
    }

    /// The order to build the signals' pipelines in: a connector's `to` pipelines before its `from` ones, since
    /// it needs their heads.
    static func signalOrder(_ config: GatewayConfiguration, _ components: ComponentTable) throws -> [Signal] {
        var edges: [(from: Signal, to: Signal)] = []
        for id in config.connectors.keys {
            guard let signals = components.connectors[id.type]?.signals, signals.from != signals.to else { continue }
            edges.append(signals)
        }
        let candidates: [[Signal]] = [
            [.metrics, .logs, .traces], [.logs, .metrics, .traces], [.metrics, .traces, .logs],
            [.logs, .traces, .metrics], [.traces, .metrics, .logs], [.traces, .logs, .metrics],
        ]
        for order in candidates
        where edges.allSatisfy({ order.firstIndex(of: $0.to)! < order.firstIndex(of: $0.from)! }) {
            return order
        }
        throw ComponentBuildError("connectors: their pipelines form a cycle")
    }
}

/// What building the pipelines shares across signals: the configuration, the table, the receivers' admission
/// checks, and the per-signal entries.
final class Assembly {
    let config: GatewayConfiguration
    let components: ComponentTable
    let builder: GraphBuilder
    /// Per receiver: the limiters of the pipelines it feeds, checked before a request body is read.
    var admission: [ComponentID: MemoryAdmission] = [:]
    var traces = Entry<Traces>()
    var metrics = Entry<Metrics>()
    var logs = Entry<Logs>()

    init(config: GatewayConfiguration, components: ComponentTable, builder: GraphBuilder) {
        self.config = config
        self.components = components
        self.builder = builder
    }

    /// The input of connector `id` in a pipeline of `From`, feeding the heads of the pipelines that receive from it.
    func connector<From: TelemetryData>(_ id: ComponentID, as: From.Type) throws -> any Consumer<From> {
        guard let connectorConfig = config.connectors[id], let factory = components.connectors[id.type] else {
            throw ComponentBuildError("connectors.\(id): not defined")
        }
        guard factory.signals.from == From.signal else {
            throw ComponentBuildError(
                "connector \(id) cannot be used as an exporter of a \(From.signal.rawValue) pipeline")
        }
        let context = BuildContext(id: id, graph: builder)
        let missing = ComponentBuildError(
            "connectors.\(id): no \(factory.signals.to.rawValue) pipeline receives from it")
        switch factory.signals.to {
        case .traces:
            guard let next = traces.consumer(for: id) else { throw missing }
            return try factory.build(connectorConfig, next: next, as: From.self, context)
        case .metrics:
            guard let next = metrics.consumer(for: id) else { throw missing }
            return try factory.build(connectorConfig, next: next, as: From.self, context)
        case .logs:
            guard let next = logs.consumer(for: id) else { throw missing }
            return try factory.build(connectorConfig, next: next, as: From.self, context)
        }
    }
}

/// Per signal: exporter instances shared by that signal's pipelines, and each receiver's pipeline heads.
struct Entry<Data: TelemetryData> {
    var exporters: [ComponentID: any Consumer<Data>] = [:]
    var heads: [ComponentID: [any Consumer<Data>]] = [:]

    func consumer(for receiver: ComponentID) -> (any Consumer<Data>)? {
        guard let list = heads[receiver], !list.isEmpty else { return nil }
        return list.count == 1 ? list[0] : FanOutConsumer(list)
    }

    mutating func add(_ pipelineID: PipelineID, _ pipeline: PipelineConfig, _ assembly: Assembly) throws {
        let config = assembly.config
        var outputs: [any Consumer<Data>] = []
        for id in pipeline.exporters {
            let exporter: any Consumer<Data>
            if let existing = exporters[id] {
                exporter = existing
            } else if config.connectors[id] != nil {
                exporter = try assembly.connector(id, as: Data.self)
            } else {
                guard let exporterConfig = config.exporters[id], let factory = assembly.components.exporters[id.type]
                else {
                    throw ComponentBuildError("exporter \(id) is not defined")
                }
                exporter = try factory.build(
                    exporterConfig, as: Data.self, BuildContext(id: id, graph: assembly.builder))
            }
            exporters[id] = exporter
            // Exporters writing into one sink (a shared metric store) are written once per pipeline.
            if let mergeable = exporter as? any MergeableConsumer,
                let index = outputs.firstIndex(where: { ($0 as? any MergeableConsumer)?.sink == mergeable.sink }),
                let merged = (outputs[index] as? any MergeableConsumer)?.merging(mergeable) as? any Consumer<Data>
            {
                outputs[index] = merged
            } else {
                outputs.append(exporter)
            }
        }
        // The storage of the first exporter whose queue is on disk: batch processors in front of it journal there.
        let persistentStorage = pipeline.exporters.lazy.compactMap {
            (config.exporters[$0] as? any PersistentConfig)?.storageExtension
        }.first
        var next: any Consumer<Data> = outputs.count == 1 ? outputs[0] : FanOutConsumer(outputs)
        for (index, id) in pipeline.processors.enumerated().reversed() {
            guard let processorConfig = config.processors[id], let factory = assembly.components.processors[id.type]
            else {
                throw ComponentBuildError("processor \(id) is not defined")
            }
            let receivers = pipeline.receivers
            let context = ProcessorContext(
                base: BuildContext(id: id, graph: assembly.builder), pipeline: pipelineID, position: index,
                persistentStorage: persistentStorage
            ) { pressure in
                for receiver in receivers {
                    assembly.admission[receiver, default: MemoryAdmission()].add(pressure, for: Data.signal)
                }
            }
            next = try factory.build(processorConfig, next: next, context)
        }
        for receiver in pipeline.receivers {
            heads[receiver, default: []].append(next)
        }
    }
}
