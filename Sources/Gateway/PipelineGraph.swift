internal import BatchProcessor
internal import DebugExporter
internal import GatewayConfig
internal import GatewayCore
internal import Logging
internal import OTLPReceiver
internal import SelfTelemetry
internal import MetricStore

/// Builds the running components from a validated configuration: exporters first, then each pipeline's
/// processors (one instance per pipeline, as in the Collector), then the receivers with a fan-out to every
/// pipeline that lists them.
struct PipelineGraph: Sendable {
    var receivers: [OTLPReceiver] = []
    /// Long-running parts (batch timers, remote-write senders, pull endpoints), run for the gateway's lifetime;
    /// each finishes its work (flush, final write) when cancelled.
    var processorLoops: [@Sendable () async -> Void] = []
    var metricStores = MetricStoreWiring()

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    static func build(_ config: GatewayConfiguration, registry: TelemetryRegistry, logger: Logger) throws -> PipelineGraph {
        var graph = PipelineGraph()
        var traces = Entry<Traces>()
        var metrics = Entry<Metrics>()
        var logs = Entry<Logs>()

        // Metrics and logs pipelines first: a connector feeding them from a traces pipeline (spanmetrics) needs
        // their heads when the traces pipeline is built.
        let order: [Signal: Int] = [.metrics: 0, .logs: 1, .traces: 2]
        let pipelines = config.service.pipelines.sorted {
            (order[$0.key.signal]!, $0.key.description) < (order[$1.key.signal]!, $1.key.description)
        }
        for (pipelineID, pipeline) in pipelines {
            switch pipelineID.signal {
            case .traces:
                let metricsHeads = metrics
                try traces.add(pipelineID, pipeline, config, registry, logger, &graph) { id, graph in
                    try ConnectorFactory.tracesConnector(id, config, metrics: metricsHeads.consumer(for: id), registry: registry, logger: logger, graph: &graph)
                }
            case .metrics:
                try metrics.add(pipelineID, pipeline, config, registry, logger, &graph) { _, _ in nil }
            case .logs:
                try logs.add(pipelineID, pipeline, config, registry, logger, &graph) { _, _ in nil }
            }
        }

        graph.processorLoops.append(contentsOf: graph.metricStores.loops)

        let receiverIDs = Set(config.service.pipelines.values.flatMap(\.receivers)).sorted { $0.description < $1.description }
        for id in receiverIDs {
            guard let receiverConfig = config.receivers[id] else { continue }
            switch receiverConfig {
            case .otlp(let otlp):
                let consumers = OTLPConsumers(traces: traces.consumer(for: id), metrics: metrics.consumer(for: id), logs: logs.consumer(for: id))
                var grpc: OTLPReceiver.GRPCSettings?
                var http: OTLPReceiver.HTTPSettings?
                if let g = otlp.grpc {
                    guard let (host, port) = parseHostPort(g.endpoint) else { throw BuildError(description: "receivers.\(id).protocols.grpc.endpoint: invalid") }
                    grpc = .init(host: host, port: port, maxRecvMessageSize: g.maxRecvMsgSizeMiB << 20, maxConcurrentStreams: g.maxConcurrentStreams)
                }
                if let h = otlp.http {
                    guard let (host, port) = parseHostPort(h.endpoint) else { throw BuildError(description: "receivers.\(id).protocols.http.endpoint: invalid") }
                    http = .init(host: host, port: port, maxRequestBodySize: h.maxRequestBodySize, tracesPath: h.tracesURLPath, metricsPath: h.metricsURLPath, logsPath: h.logsURLPath)
                }
                graph.receivers.append(OTLPReceiver(name: id.description, grpc: grpc, http: http, consumers: consumers, registry: registry, logger: logger))
            case .engine(let engine):
                graph.processorLoops.append(contentsOf: try EngineWiring.loops(id, engine, metrics: metrics.consumer(for: id), traces: traces.consumer(for: id), logger: logger))
            case .hostMetrics(let host):
                graph.processorLoops.append(contentsOf: HostMetricsWiring.loops(id, host, metrics: metrics.consumer(for: id), registry: registry, logger: logger))
            }
        }
        return graph
    }

    /// Per signal: exporter instances shared by that signal's pipelines, and each receiver's pipeline heads.
    struct Entry<Data: TelemetryData> {
        var exporters: [ComponentID: any Consumer<Data>] = [:]
        var heads: [ComponentID: [any Consumer<Data>]] = [:]

        func consumer(for receiver: ComponentID) -> (any Consumer<Data>)? {
            guard let list = heads[receiver], !list.isEmpty else { return nil }
            return list.count == 1 ? list[0] : FanOutConsumer(list)
        }

        mutating func add(
            _ pipelineID: PipelineID, _ pipeline: PipelineConfig, _ config: GatewayConfiguration,
            _ registry: TelemetryRegistry, _ logger: Logger, _ graph: inout PipelineGraph,
            connector: (ComponentID, inout PipelineGraph) throws -> (any Consumer<Data>)?
        ) throws {
            var outputs: [any Consumer<Data>] = []
            // Store-backed exporters of this pipeline, grouped by the store they read.
            var storeGroups: [(MetricStore, [ComponentID])] = []
            for id in pipeline.exporters {
                if let existing = exporters[id] {
                    outputs.append(existing)
                    continue
                }
                if config.connectors[id] != nil {
                    guard let c = try connector(id, &graph) else {
                        throw BuildError(description: "connector \(id) cannot be used as an exporter of a \(Data.signal.rawValue) pipeline")
                    }
                    exporters[id] = c
                    outputs.append(c)
                    continue
                }
                guard let exporterConfig = config.exporters[id] else { throw BuildError(description: "exporter \(id) is not defined") }
                if MetricStoreWiring.isStoreBacked(exporterConfig) {
                    guard Data.signal == .metrics else { throw BuildError(description: "exporter \(id) supports metrics pipelines only") }
                    let store = try graph.metricStores.store(for: id, config, registry: registry, logger: logger)
                    if let i = storeGroups.firstIndex(where: { $0.0 === store }) { storeGroups[i].1.append(id) } else { storeGroups.append((store, [id])) }
                    continue
                }
                let exporter = try ExporterFactory.make(id, exporterConfig, config, as: Data.self, registry: registry, logger: logger, graph: &graph)
                exporters[id] = exporter
                outputs.append(exporter)
            }
            for (store, ids) in storeGroups {
                let sent = ids.map { registry.counter("otelcol_exporter_sent_metric_points_total", help: "Number of metric_points successfully sent to destination.", labels: ["exporter": $0.description]) }
                if let consumer = StoreIngestConsumer(store: store, sent: sent) as? any Consumer<Data> { outputs.append(consumer) }
            }
            var next: any Consumer<Data> = outputs.count == 1 ? outputs[0] : FanOutConsumer(outputs)
            for id in pipeline.processors.reversed() {
                guard let processorConfig = config.processors[id] else { throw BuildError(description: "processor \(id) is not defined") }
                switch processorConfig {
                case .batch(let b):
                    let processor = BatchProcessor<Data>(
                        name: id.description,
                        settings: .init(sendBatchSize: b.sendBatchSize, sendBatchMaxSize: b.sendBatchMaxSize, timeout: b.timeout, maxPendingItems: b.maxPendingItems),
                        next: next, registry: registry, logger: logger)
                    graph.processorLoops.append { await processor.run(clock: ContinuousClock()) }
                    next = processor
                }
            }
            for receiver in pipeline.receivers {
                heads[receiver, default: []].append(next)
            }
        }
    }
}
