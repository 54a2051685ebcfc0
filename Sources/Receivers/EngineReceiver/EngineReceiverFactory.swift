public import ComponentKit
internal import EngineTelemetry
public import GatewayCore
internal import InferenceEngine
internal import Logging

extension EngineReceiverConfig: ComponentConfig {
    public func signalProblem(_ signal: Signal) -> String? {
        signal == .logs ? "produces metrics and traces only" : nil
    }
}

/// `engine`: runs the built-in inference engine as a receiver. Its swift-metrics and swift-distributed-tracing
/// calls go to a `PipelineMetricsFactory` and a `PipelineTracer`, whose output enters the pipelines that list the
/// receiver, with no network hop.
public struct EngineReceiverFactory: ReceiverFactory {
    public init() {}

    public var types: [String] { ["engine"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        EngineReceiverConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: ReceiverContext) throws {
        guard let engine = config as? EngineReceiverConfig else { throw ComponentBuildError("not an engine config") }
        let id = context.base.id
        let registry = context.base.registry
        let metrics = context.metrics.map {
            CountingConsumer(next: $0, receiver: id.description, registry: registry) as any Consumer<Metrics>
        }
        let traces = context.traces.map {
            CountingConsumer(next: $0, receiver: id.description, registry: registry) as any Consumer<Traces>
        }
        for loop in try Self.loops(id, engine, metrics: metrics, traces: traces, logger: context.base.logger) {
            context.base.addPart(.receivers, "receivers.\(id)", loop)
        }
    }

    static func configuration(_ c: EngineReceiverConfig) -> EngineConfiguration {
        EngineConfiguration(
            enabled: c.enabled, modelName: c.modelName,
            model: ModelConfiguration(
                numLayers: c.layers, hiddenSize: c.hiddenSize, numHeads: c.heads, numKVHeads: c.heads,
                intermediateSize: c.hiddenSize * 4, vocabularySize: c.vocabularySize, seed: UInt64(c.modelSeed)),
            blockSize: c.blockSize, numBlocks: c.numBlocks, maxBatchTokens: c.maxBatchTokens,
            scheduler: c.scheduler == .prefillFirst ? .prefillFirst : .fifo, spanSampleRatio: c.spanSampleRatio,
            workload: WorkloadConfiguration(
                requestsPerSecond: c.workloadRate, promptLengthMedian: c.promptLengthMedian,
                outputLengthMedian: c.outputLengthMedian, seed: UInt64(c.workloadSeed)))
    }

    /// The loops to run (engine and telemetry delivery), or none when the engine is disabled.
    static func loops(
        _ id: ComponentID, _ c: EngineReceiverConfig, metrics: (any Consumer<Metrics>)?,
        traces: (any Consumer<Traces>)?,
        logger: Logger
    ) throws -> [@Sendable () async -> Void] {
        guard c.enabled else { return [] }
        let config = configuration(c)
        do {
            try config.validate()
        } catch {
            throw ComponentBuildError("receivers.\(id): \(error)")
        }
        let resource = Resource(attributes: [
            "service.name": .string("inference-engine"),
            "service.namespace": .string("otlp-gateway"),
            "service.instance.id": .string(id.description),
        ])
        let factory = PipelineMetricsFactory(
            resource: resource,
            buckets: { EngineMetricNames.descriptor(named: $0)?.bucketBoundaries },
            units: { EngineMetricNames.descriptor(named: $0)?.unit },
            descriptions: { EngineMetricNames.descriptor(named: $0)?.description })
        let tracer = PipelineTracer(resource: resource)
        let engine = Engine(configuration: config, logger: logger, metricsFactory: factory, tracer: tracer)
        let service = EngineService(engine: engine, logger: logger)
        let delivery = EngineTelemetryReceiver(
            resource: resource, metricsFactory: factory, tracer: tracer, metrics: metrics, traces: traces,
            interval: c.collectionInterval, logger: logger)
        logger.info(
            "inference engine running",
            metadata: [
                "receiver": "\(id)", "model_name": "\(c.modelName)", "workload_rate": "\(c.workloadRate)",
            ])
        return [
            {
                do { try await service.run() } catch {
                    logger.error("inference engine stopped", metadata: ["receiver": "\(id)", "error": "\(error)"])
                }
            },
            { await delivery.run() },
        ]
    }
}
