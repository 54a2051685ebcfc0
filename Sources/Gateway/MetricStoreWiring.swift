internal import FileIO
internal import GatewayConfig
internal import GatewayCore
internal import Logging
internal import MetricStore
internal import NIOPosix
internal import PrometheusExporter
internal import PrometheusRemoteWriteExporter
internal import PrometheusTranslation
internal import SelfTelemetry

/// Feeds one metric store from a pipeline. Exporters reading the same store share one of these per pipeline, so
/// delta points are added once however many exporters read the result.
struct StoreIngestConsumer: Consumer {
    let store: MetricStore
    let sent: [TelemetryCounter]

    func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult {
        let result = store.ingest(data)
        let accepted = data.dataPointCount - result.rejectedItems
        for counter in sent { counter.add(accepted) }
        return result
    }
}

/// The Prometheus-side exporters of a configuration and the stores they read. Exporters whose translation
/// settings are equal share one store.
struct MetricStoreWiring {
    var stores: [MetricStore.Settings: MetricStore] = [:]
    /// The store each store-backed exporter reads.
    var storeOf: [ComponentID: MetricStore] = [:]
    /// The exporters' long-running parts, by name (`exporters.<id>`).
    var loops: [(String, (@Sendable () -> Void)?, @Sendable () async -> Void)] = []

    static func isStoreBacked(_ config: ExporterConfig) -> Bool {
        switch config {
        case .prometheusRemoteWrite, .prometheus: return true
        default: return false
        }
    }

    static func strategy(_ t: GatewayConfig.PrometheusTranslationStrategy)
        -> PrometheusTranslation.PrometheusTranslationStrategy
    {
        PrometheusTranslation.PrometheusTranslationStrategy(rawValue: t.rawValue) ?? .underscoreEscaping
    }

    mutating func store(
        for id: ComponentID, _ config: GatewayConfiguration, registry: TelemetryRegistry, logger: Logger
    ) throws -> MetricStore {
        if let existing = storeOf[id] { return existing }
        let settings: MetricStore.Settings
        switch config.exporters[id] {
        case .prometheusRemoteWrite(let c)?:
            settings = MetricStore.Settings(
                strategy: Self.strategy(c.translation), namespace: c.namespace, addSuffixes: true,
                promoteResourceAttributes: c.promoteResourceAttributes,
                promoteAllResourceAttributes: c.resourceToTelemetryConversionEnabled,
                targetInfo: c.targetInfoEnabled, staleAfter: c.staleAfter, maxSeriesPerMetric: c.maxSeriesPerMetric)
        case .prometheus(let c)?:
            settings = MetricStore.Settings(
                strategy: Self.strategy(c.translation), namespace: c.namespace, addSuffixes: c.addMetricSuffixes,
                promoteResourceAttributes: c.promoteResourceAttributes,
                promoteAllResourceAttributes: c.resourceToTelemetryConversionEnabled,
                targetInfo: c.targetInfoEnabled, staleAfter: c.metricExpiration,
                maxSeriesPerMetric: c.maxSeriesPerMetric)
        default:
            throw PipelineGraph.BuildError(description: "exporter \(id) does not read a metric store")
        }
        let store: MetricStore
        if let shared = stores[settings] {
            store = shared
        } else {
            store = MetricStore(settings: settings, registry: registry, name: "store\(stores.count)")
            stores[settings] = store
        }
        storeOf[id] = store
        try startExporter(id, config, store: store, registry: registry, logger: logger)
        return store
    }

    private mutating func startExporter(
        _ id: ComponentID, _ config: GatewayConfiguration, store: MetricStore, registry: TelemetryRegistry,
        logger: Logger
    ) throws {
        switch config.exporters[id] {
        case .prometheusRemoteWrite(let c)?:
            var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            if let auth = c.authenticator, let header = try Self.authorizationHeader(auth, config) {
                headers.append(("Authorization", header))
            }
            let encoder = RemoteWriteEncoder(
                externalLabels: c.externalLabels.map { PrometheusLabel(name: $0.key, value: $0.value) },
                nativeHistograms: c.sendNativeHistograms, maxBytes: c.maxBatchSizeBytes)
            let retry = RetryPolicy(
                enabled: c.retryOnFailure.enabled, initialInterval: c.retryOnFailure.initialInterval,
                maxInterval: c.retryOnFailure.maxInterval,
                maxElapsed: c.retryOnFailure.maxElapsedTime, multiplier: c.retryOnFailure.multiplier)
            let tls = try ClientTLSWiring.make(
                id, c.tls, enabled: c.usesTLS, applicationProtocols: ClientTLSWiring.http1Protocols, logger: logger)
            let exporter = PrometheusRemoteWriteExporter(
                name: id.description,
                settings: .init(
                    host: c.host, port: c.port, path: c.path, headers: headers, timeout: c.timeout,
                    interval: c.interval,
                    encoder: encoder, queueSize: c.remoteWriteQueue.queueSize,
                    numConsumers: c.remoteWriteQueue.enabled ? c.remoteWriteQueue.numConsumers : 1, retry: retry,
                    tls: tls),
                store: store, registry: registry, logger: logger)
            loops.append(("exporters.\(id)", { exporter.drain() }, { await exporter.run() }))
        case .prometheus(let c)?:
            guard let (host, port) = parseHostPort(c.endpoint) else {
                throw PipelineGraph.BuildError(description: "exporters.\(id).endpoint: invalid")
            }
            let exporter = PrometheusExporter(
                name: id.description, host: host, port: port, store: store,
                constLabels: c.constLabels.map { PrometheusLabel(name: $0.key, value: $0.value) },
                enableOpenMetrics: c.enableOpenMetrics,
                tls: try ListenerSecurityWiring.endpointTLS(c.tls, path: "exporters.\(id)"), logger: logger)
            loops.append(
                (
                    "exporters.\(id)", nil,
                    {
                        do { try await exporter.run(group: MultiThreadedEventLoopGroup.singleton) } catch {
                            logger.error(
                                "prometheus exporter stopped", metadata: ["exporter": "\(id)", "error": "\(error)"])
                        }
                    }
                ))
        default:
            break
        }
    }

    /// The `Authorization` value from a `basicauth` or `bearertokenauth` extension.
    static func authorizationHeader(_ id: ComponentID, _ config: GatewayConfiguration) throws -> String? {
        switch config.extensions[id] {
        case .basicAuth(let b)?:
            guard b.hasClientAuth else {
                throw PipelineGraph.BuildError(
                    description:
                        "extensions.\(id): has no client_auth, which an exporter needs (htpasswd is for receivers)")
            }
            return "Basic " + Base64.encode(Array("\(b.username):\(b.password)".utf8))
        case .bearerTokenAuth(let t)?:
            var token = t.token ?? ""
            if let file = t.filename, !file.isEmpty {
                guard let text = readTextFile(file) else {
                    throw PipelineGraph.BuildError(description: "extensions.\(id).filename: cannot read \(file)")
                }
                token = text.trimmingCharacters(in: " \n\r\t")
            }
            return t.scheme.isEmpty ? token : "\(t.scheme) \(token)"
        default:
            return nil
        }
    }
}

func readTextFile(_ path: String) -> String? { WholeFile.text(path) }

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
