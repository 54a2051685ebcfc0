internal import BatchProcessor
internal import DebugExporter
internal import GatewayConfig
internal import GatewayCore
internal import HTTP2Transport
internal import Logging
internal import MemoryLimiterProcessor
internal import MetricStore
internal import NIOCore
internal import OTLPReceiver
internal import SelfTelemetry

/// Builds the running components from a validated configuration: exporters first, then each pipeline's
/// processors (one instance per pipeline, as in the Collector), then the receivers with a fan-out to every
/// pipeline that lists them.
struct PipelineGraph: Sendable {
    var receivers: [OTLPReceiver] = []
    /// Long-running parts (engine, batch timers, connectors, senders, endpoints), run for the gateway's lifetime
    /// and stopped stage by stage; each finishes its work (flush, final write) when stopped.
    var parts: [Part] = []

    /// When a part is stopped on a graceful shutdown, in the Collector's order: what produces data first, then
    /// what holds it (processors upstream of connectors before the connectors, the connectors before the
    /// pipelines they feed), exporters last, so that every flush has somewhere to go.
    enum Stage: Int, CaseIterable, Comparable, Sendable {
        case receivers, tracesProcessors, connectors, processors, exporters

        static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }

        /// Where a processor of a `signal` pipeline stops: traces pipelines feed the connectors.
        static func processors(of signal: Signal) -> Stage { signal == .traces ? .tracesProcessors : .processors }
    }

    /// One long-running part. Stopping cancels its task, except where it has a `drain`: that is called instead
    /// (an exporter finishing its queue), and the task is cancelled only if it outlives the shutdown timeout.
    struct Part: Sendable {
        var stage: Stage
        var name: String
        var drain: (@Sendable () -> Void)?
        var run: @Sendable () async -> Void
    }

    mutating func add(
        _ stage: Stage, _ name: String, drain: (@Sendable () -> Void)? = nil,
        _ run: @escaping @Sendable () async -> Void
    ) {
        parts.append(Part(stage: stage, name: name, drain: drain, run: run))
    }
    var metricStores = MetricStoreWiring()
    /// One limiter per `memory_limiter` ID, shared by every pipeline listing it, as in the Collector.
    var memoryLimiters: [ComponentID: MemoryLimiter] = [:]
    /// Per receiver: the limiters of the pipelines it feeds, checked before a request body is read.
    var admission: [ComponentID: MemoryAdmission] = [:]

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    static func build(_ config: GatewayConfiguration, registry: TelemetryRegistry, logger: Logger) throws
        -> PipelineGraph
    {
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
                    try ConnectorFactory.tracesConnector(
                        id, config, metrics: metricsHeads.consumer(for: id), registry: registry, logger: logger,
                        graph: &graph)
                }
            case .metrics:
                try metrics.add(pipelineID, pipeline, config, registry, logger, &graph) { _, _ in nil }
            case .logs:
                try logs.add(pipelineID, pipeline, config, registry, logger, &graph) { _, _ in nil }
            }
        }

        for (name, drain, loop) in graph.metricStores.loops { graph.add(.exporters, name, drain: drain, loop) }

        let receiverIDs = Set(config.service.pipelines.values.flatMap(\.receivers)).sorted {
            $0.description < $1.description
        }
        let connectionShare = ConnectionBudget.share(
            configured: receiverIDs.compactMap { id -> [Int]? in
                guard case .otlp(let otlp)? = config.receivers[id] else { return nil }
                return [otlp.grpc?.maxConnections, otlp.http?.maxConnections].compactMap { $0 }
            }.flatMap { $0 },
            openFilesLimit: ConnectionBudget.openFilesLimit(), logger: logger)
        for id in receiverIDs {
            guard let receiverConfig = config.receivers[id] else { continue }
            switch receiverConfig {
            case .otlp(let otlp):
                let consumers = OTLPConsumers(
                    traces: traces.consumer(for: id), metrics: metrics.consumer(for: id), logs: logs.consumer(for: id),
                    admission: graph.admission[id] ?? MemoryAdmission())
                var grpc: OTLPReceiver.GRPCSettings?
                var http: OTLPReceiver.HTTPSettings?
                if let g = otlp.grpc {
                    guard let (host, port) = parseHostPort(g.endpoint) else {
                        throw BuildError(description: "receivers.\(id).protocols.grpc.endpoint: invalid")
                    }
                    let path = "receivers.\(id).protocols.grpc"
                    grpc = .init(
                        host: host, port: port, maxRecvMessageSize: g.maxRecvMsgSizeMiB << 20,
                        maxConcurrentStreams: g.maxConcurrentStreams,
                        tls: try ListenerSecurityWiring.tls(
                            g.tls, path: path, applicationProtocols: ListenerSecurityWiring.grpcProtocols),
                        authenticator: try ListenerSecurityWiring.authenticator(g.authenticator, path: path, config))
                    grpc?.maxConnections = connectionShare(g.maxConnections)
                    grpc?.maxHeaderListSize = g.maxHeaderListSize
                    grpc?.limits.handshakeTimeout = g.handshakeTimeout.map(TimeAmount.init)
                    grpc?.limits.maxConnectionIdle = g.maxConnectionIdle.map(TimeAmount.init)
                    grpc?.limits.maxConnectionAge = g.maxConnectionAge.map(TimeAmount.init)
                    grpc?.limits.maxConnectionAgeGrace = g.maxConnectionAgeGrace.map(TimeAmount.init)
                    grpc?.limits.streamStallTimeout = g.streamIdleTimeout.map(TimeAmount.init)
                }
                if let h = otlp.http {
                    guard let (host, port) = parseHostPort(h.endpoint) else {
                        throw BuildError(description: "receivers.\(id).protocols.http.endpoint: invalid")
                    }
                    let path = "receivers.\(id).protocols.http"
                    http = .init(
                        host: host, port: port, maxRequestBodySize: h.maxRequestBodySize, tracesPath: h.tracesURLPath,
                        metricsPath: h.metricsURLPath, logsPath: h.logsURLPath,
                        tls: try ListenerSecurityWiring.tls(
                            h.tls, path: path, applicationProtocols: ListenerSecurityWiring.http1Protocols),
                        authenticator: try ListenerSecurityWiring.authenticator(h.authenticator, path: path, config))
                    http?.maxConnections = connectionShare(h.maxConnections)
                    http?.maxHeaderListSize = h.maxHeaderListSize
                    http?.timeouts.readHeader = h.readHeaderTimeout.map(TimeAmount.init)
                    http?.timeouts.idle = h.idleTimeout.map(TimeAmount.init)
                    http?.timeouts.write = h.writeTimeout.map(TimeAmount.init)
                }
                graph.receivers.append(
                    OTLPReceiver(
                        name: id.description, grpc: grpc, http: http, consumers: consumers, registry: registry,
                        logger: logger))
            case .engine(let engine):
                for loop in try EngineWiring.loops(
                    id, engine, metrics: metrics.consumer(for: id), traces: traces.consumer(for: id), logger: logger)
                {
                    graph.add(.receivers, "receivers.\(id)", loop)
                }
            case .hostMetrics(let host):
                for loop in HostMetricsWiring.loops(
                    id, host, metrics: metrics.consumer(for: id), registry: registry, logger: logger)
                {
                    graph.add(.receivers, "receivers.\(id)", loop)
                }
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
                        throw BuildError(
                            description:
                                "connector \(id) cannot be used as an exporter of a \(Data.signal.rawValue) pipeline")
                    }
                    exporters[id] = c
                    outputs.append(c)
                    continue
                }
                guard let exporterConfig = config.exporters[id] else {
                    throw BuildError(description: "exporter \(id) is not defined")
                }
                if MetricStoreWiring.isStoreBacked(exporterConfig) {
                    guard Data.signal == .metrics else {
                        throw BuildError(description: "exporter \(id) supports metrics pipelines only")
                    }
                    let store = try graph.metricStores.store(for: id, config, registry: registry, logger: logger)
                    if let i = storeGroups.firstIndex(where: { $0.0 === store }) {
                        storeGroups[i].1.append(id)
                    } else {
                        storeGroups.append((store, [id]))
                    }
                    continue
                }
                let exporter = try ExporterFactory.make(
                    id, exporterConfig, config, as: Data.self, registry: registry, logger: logger, graph: &graph)
                exporters[id] = exporter
                outputs.append(exporter)
            }
            for (store, ids) in storeGroups {
                let sent = ids.map {
                    registry.counter(
                        "otelcol_exporter_sent_metric_points_total",
                        help: "Number of metric_points successfully sent to destination.",
                        labels: ["exporter": $0.description])
                }
                if let consumer = StoreIngestConsumer(store: store, sent: sent) as? any Consumer<Data> {
                    outputs.append(consumer)
                }
            }
            var next: any Consumer<Data> = outputs.count == 1 ? outputs[0] : FanOutConsumer(outputs)
            for (index, id) in pipeline.processors.enumerated().reversed() {
                guard let processorConfig = config.processors[id] else {
                    throw BuildError(description: "processor \(id) is not defined")
                }
                switch processorConfig {
                case .memoryLimiter(let m):
                    if index > 0 {
                        // The Collector only warns too: refusing late still protects memory, it just wastes the work
                        // of the processors before it.
                        logger.warning(
                            "memory_limiter should be the first processor of a pipeline",
                            metadata: ["pipeline": "\(pipelineID)", "processor": "\(id)", "position": "\(index + 1)"])
                    }
                    let limiter = try graph.memoryLimiter(id, m, registry: registry, logger: logger)
                    for receiver in pipeline.receivers {
                        graph.admission[receiver, default: MemoryAdmission()].add(limiter.pressure, for: Data.signal)
                    }
                    next = MemoryLimiterProcessor<Data>(limiter: limiter, next: next, registry: registry)
                case .batch(let b):
                    let processor = BatchProcessor<Data>(
                        name: id.description,
                        settings: .init(
                            sendBatchSize: b.sendBatchSize, sendBatchMaxSize: b.sendBatchMaxSize, timeout: b.timeout,
                            maxPendingItems: b.maxPendingItems),
                        next: next, registry: registry, logger: logger,
                        journal: try BatchJournalWiring.journal(
                            for: id, in: pipelineID, pipeline, config, as: Data.self, logger: logger))
                    graph.add(.processors(of: Data.signal), "processors.\(id) (\(pipelineID))") {
                        await processor.run(clock: ContinuousClock())
                    }
                    next = processor
                }
            }
            for receiver in pipeline.receivers {
                heads[receiver, default: []].append(next)
            }
        }
    }

    /// The limiter of `memory_limiter` `id`, made (and its check loop added) the first time a pipeline lists it.
    mutating func memoryLimiter(
        _ id: ComponentID, _ config: MemoryLimiterProcessorConfig, registry: TelemetryRegistry, logger: Logger
    ) throws -> MemoryLimiter {
        if let existing = memoryLimiters[id] { return existing }
        var total = 0
        if config.limitMiB == 0 {
            guard let bytes = SystemMemory.totalBytes() else {
                throw BuildError(
                    description:
                        "processors.\(id).limit_percentage: cannot read total memory (cgroup memory.max or /proc/meminfo)"
                )
            }
            total = bytes
        }
        let (hard, soft) = config.limits(totalMemoryBytes: total)
        guard soft > 0 else {
            throw BuildError(description: "processors.\(id): the limit comes to \(hard) bytes, too small to use")
        }
        let limiter = MemoryLimiter(
            name: id.description,
            settings: .init(
                checkInterval: config.checkInterval, hardLimitBytes: hard, softLimitBytes: soft,
                minReleaseIntervalWhenSoftLimited: config.minReleaseIntervalWhenSoftLimited,
                minReleaseIntervalWhenHardLimited: config.minReleaseIntervalWhenHardLimited),
            registry: registry, logger: logger)
        logger.info(
            "memory_limiter",
            metadata: ["processor": "\(id)", "hard_limit_mib": "\(hard >> 20)", "soft_limit_mib": "\(soft >> 20)"])
        // The first measurement now, so a gateway that starts over its limit refuses from its first request.
        limiter.check()
        memoryLimiters[id] = limiter
        add(.processors, "processors.\(id)") { await limiter.run(clock: ContinuousClock()) }
        return limiter
    }
}
