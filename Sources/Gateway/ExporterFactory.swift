internal import DebugExporter
internal import GatewayConfig
internal import GatewayCore
internal import Logging
internal import MemoryTraceExporter
internal import NIOPosix
internal import OTLPExporter
internal import SelfTelemetry
internal import SpanMetricsConnector

/// Builds the exporters that are not metric-store readers, for a pipeline of `Data`.
enum ExporterFactory {
    static func make<Data: TelemetryData>(
        _ id: ComponentID, _ exporterConfig: ExporterConfig, _ config: GatewayConfiguration, as: Data.Type,
        registry: TelemetryRegistry, logger: Logger, graph: inout PipelineGraph
    ) throws -> any Consumer<Data> {
        switch exporterConfig {
        case .debug(let d):
            return DebugExporter<Data>(
                name: id.description,
                verbosity: DebugExporter<Data>.Verbosity(rawValue: d.verbosity.rawValue) ?? .basic, registry: registry)
        case .otlp(let c):
            var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            if let auth = c.authenticator, let value = try MetricStoreWiring.authorizationHeader(auth, config) {
                headers.append(("authorization", value))
            }
            let tls = try ClientTLSWiring.make(
                id, c.tls, enabled: c.usesTLS, applicationProtocols: ClientTLSWiring.grpcProtocols, logger: logger)
            let exporter = OTLPExporter<Data>(
                name: id.description,
                settings: .init(
                    transport: .grpc(host: c.host, port: c.port), headers: headers, gzip: c.compression == .gzip,
                    timeout: c.timeout,
                    queueLimits: queueLimits(c.sendingQueue),
                    numConsumers: c.sendingQueue.enabled ? c.sendingQueue.numConsumers : 1,
                    retry: retryPolicy(c.retryOnFailure),
                    tls: tls, persistentQueue: try persistentQueue(id, c.sendingQueue, config, signal: Data.signal)),
                registry: registry, logger: logger)
            graph.add(.exporters, "exporters.\(id) (\(Data.signal.rawValue))", drain: { exporter.drain() }) {
                await exporter.run()
            }
            return exporter
        case .otlpHTTP(let c):
            guard let url = c.url(for: Data.signal) else {
                throw PipelineGraph.BuildError(description: "exporters.\(id): no endpoint for \(Data.signal.rawValue)")
            }
            var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            if let auth = c.authenticator, let value = try MetricStoreWiring.authorizationHeader(auth, config) {
                headers.append(("Authorization", value))
            }
            let tls = try ClientTLSWiring.make(
                id, c.tls, enabled: url.scheme == "https", applicationProtocols: ClientTLSWiring.http1Protocols,
                logger: logger)
            let exporter = OTLPExporter<Data>(
                name: id.description,
                settings: .init(
                    transport: .http(host: url.host, port: url.port, path: url.path, json: c.encoding == .json),
                    headers: headers,
                    gzip: c.compression == .gzip, timeout: c.timeout,
                    queueLimits: queueLimits(c.sendingQueue),
                    numConsumers: c.sendingQueue.enabled ? c.sendingQueue.numConsumers : 1,
                    retry: retryPolicy(c.retryOnFailure),
                    tls: tls, persistentQueue: try persistentQueue(id, c.sendingQueue, config, signal: Data.signal)),
                registry: registry, logger: logger)
            graph.add(.exporters, "exporters.\(id) (\(Data.signal.rawValue))", drain: { exporter.drain() }) {
                await exporter.run()
            }
            return exporter
        case .memory(let c):
            guard Data.signal == .traces else {
                throw PipelineGraph.BuildError(description: "exporter \(id) supports traces pipelines only")
            }
            guard let (host, port) = parseHostPort(c.endpoint) else {
                throw PipelineGraph.BuildError(description: "exporters.\(id).endpoint: invalid")
            }
            let exporter = MemoryTraceExporter(
                name: id.description, maxBytes: c.maxBytes, host: host, port: port, registry: registry, logger: logger)
            let tls = try ListenerSecurityWiring.endpointTLS(c.tls, path: "exporters.\(id)")
            graph.add(.exporters, "exporters.\(id)") {
                do { try await exporter.run(group: MultiThreadedEventLoopGroup.singleton, tls: tls) } catch {
                    logger.error("memory exporter stopped", metadata: ["exporter": "\(id)", "error": "\(error)"])
                }
            }
            return exporter as! any Consumer<Data>
        case .prometheusRemoteWrite, .prometheus:
            throw PipelineGraph.BuildError(description: "exporter \(id) reads the metric store; it is wired separately")
        }
    }

    /// The in-memory queue's bounds: `queue_size` in the sizer's unit, and `max_bytes` of encoded requests when the
    /// sizer counts requests or items. Without a queue (`enabled: false`) one request at a time.
    static func queueLimits(_ q: SendingQueueConfig) -> QueueLimits {
        guard q.enabled else {
            return QueueLimits(sizer: .requests, size: 1, byteCeiling: q.maxBytes > 0 ? q.maxBytes : nil)
        }
        let sizer = QueueLimits.Sizer(rawValue: q.sizer.rawValue) ?? .bytes
        return QueueLimits(sizer: sizer, size: q.queueSize, byteCeiling: q.maxBytes > 0 ? q.maxBytes : nil)
    }

    static func retryPolicy(_ r: RetryOnFailureConfig) -> RetryPolicy {
        RetryPolicy(
            enabled: r.enabled, initialInterval: r.initialInterval, maxInterval: r.maxInterval,
            maxElapsed: r.maxElapsedTime, multiplier: r.multiplier)
    }

    /// The on-disk queue of an exporter whose `sending_queue.storage` names a `file_storage` extension: one
    /// directory per exporter and signal under the extension's directory, so exporters never share files.
    static func persistentQueue(
        _ id: ComponentID, _ queue: SendingQueueConfig, _ config: GatewayConfiguration, signal: Signal
    ) throws -> FileQueue? {
        guard queue.enabled, let storageID = queue.storage else { return nil }
        guard case .fileStorage(let storage)? = config.extensions[storageID] else {
            throw PipelineGraph.BuildError(
                description: "exporters.\(id).sending_queue.storage: \(storageID) is not a file_storage extension")
        }
        let name = "\(id.description)-\(signal.rawValue)".map {
            $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_"
        }
        do {
            // The extension's own directory is created only when it says so; the per-exporter one always.
            try FileQueue.ensureDirectory(storage.directory, create: storage.createDirectory)
            return try FileQueue(
                directory: storage.directory + "/" + String(name),
                limits: QueueLimits(
                    sizer: QueueLimits.Sizer(rawValue: queue.sizer.rawValue) ?? .requests, size: queue.queueSize),
                fsync: storage.fsync,
                create: true)
        } catch {
            throw PipelineGraph.BuildError(description: "extensions.\(storageID).directory: \(error)")
        }
    }
}

/// Builds connectors where they appear as an exporter.
enum ConnectorFactory {
    static func tracesConnector(
        _ id: ComponentID, _ config: GatewayConfiguration, metrics: (any Consumer<Metrics>)?,
        registry: TelemetryRegistry, logger: Logger, graph: inout PipelineGraph
    ) throws -> (any Consumer<Traces>)? {
        switch config.connectors[id] {
        case .spanMetrics(let c)?:
            guard let metrics else {
                throw PipelineGraph.BuildError(description: "connectors.\(id): no metrics pipeline receives from it")
            }
            let settings = SpanMetricsConnector.Settings(
                buckets: c.histogramBuckets.map(\.seconds),
                dimensions: c.dimensions.map {
                    SpanMetricsConnector.Dimension(name: $0.name, defaultValue: $0.defaultValue)
                },
                exemplars: c.exemplarsEnabled, flushInterval: c.metricsFlushInterval, namespace: c.namespace,
                delta: c.aggregationTemporality == .delta, maxSeries: c.maxSeries)
            let connector = SpanMetricsConnector(
                name: id.description, settings: settings, next: metrics, registry: registry, logger: logger,
                now: { WallClock.nowUnixNano() })
            graph.add(.connectors, "connectors.\(id)") { await connector.run() }
            return connector
        case nil:
            return nil
        }
    }
}
