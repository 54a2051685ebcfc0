import GatewayCore
import InferenceEngine
import Logging
import TestSupport
import Testing

@testable import EngineTelemetry

/// A real engine, its metrics and spans routed through the pipeline backends.
@Suite(.timeLimit(.minutes(1))) struct EngineEndToEndTests {
    static let resource = Resource(attributes: ["service.name": .string("inference-engine")])

    static func configuration() -> EngineConfiguration {
        EngineConfiguration(
            enabled: true,
            modelName: "test-model",
            model: ModelConfiguration(
                numLayers: 1, hiddenSize: 16, numHeads: 2, numKVHeads: 2, intermediateSize: 32,
                vocabularySize: 32, maxSequenceLength: 256, seed: 7
            ),
            blockSize: 4,
            numBlocks: 64,
            maxBatchTokens: 16,
            maxWaitingRequests: 0,
            spanSampleRatio: 0,
            workload: WorkloadConfiguration(requestsPerSecond: 0)
        )
    }

    static func engineFactory() -> PipelineMetricsFactory {
        PipelineMetricsFactory(
            resource: resource,
            buckets: { EngineMetricNames.descriptor(named: $0)?.bucketBoundaries },
            units: { EngineMetricNames.descriptor(named: $0)?.unit },
            descriptions: { EngineMetricNames.descriptor(named: $0)?.description }
        )
    }

    @Test func engineMetricsAndSpansArriveInThePipeline() async throws {
        let factory = Self.engineFactory()
        let tracer = PipelineTracer(resource: Self.resource)
        var logger = Logger(label: "engine-telemetry-tests")
        logger.logLevel = .critical
        let engine = Engine(
            configuration: Self.configuration(), logger: logger, metricsFactory: factory, tracer: tracer)
        let requests = (0..<4).map { i in
            GenerationRequest(promptTokens: Array(1...(3 + i)), maxNewTokens: 3 + i)
        }
        let results = await engine.generate(batch: requests)
        let generated = results.reduce(0) { $0 + $1.generatedTokens.count }
        let prompts = requests.reduce(0) { $0 + $1.promptTokens.count }
        #expect(generated > requests.count)

        // Metrics: what the engine recorded, with the table's units and buckets.
        let metrics = factory.collect(timeUnixNano: 1)
        let model: Attributes = [EngineMetricNames.modelNameDimension: .string("test-model")]
        let ttft = try #require(metrics.metric(named: EngineMetricNames.ttft))
        let ttftDescriptor = try #require(EngineMetricNames.descriptor(named: EngineMetricNames.ttft))
        #expect(ttft.unit == ttftDescriptor.unit)
        #expect(ttft.description == ttftDescriptor.description)
        let ttftPoint = try #require(ttft.data.histogram?.dataPoints.first)
        #expect(ttftPoint.count == UInt64(requests.count))
        #expect(ttftPoint.explicitBounds == ttftDescriptor.bucketBoundaries)
        #expect(ttftPoint.bucketCounts.reduce(0, +) == ttftPoint.count)
        #expect(ttftPoint.attributes == model)

        func total(_ name: String) -> NumberValue? {
            metrics.metric(named: name)?.data.sum?.dataPoints.first?.value
        }
        #expect(total(EngineMetricNames.generationTokens) == .int(Int64(generated)))
        // The first token of each request comes out of prefill; decode steps produce the rest.
        #expect(total(EngineMetricNames.decodeTokensProcessed) == .int(Int64(generated - requests.count)))
        #expect(total(EngineMetricNames.prefillTokensProcessed) == .int(Int64(prompts)))
        let finished = try #require(metrics.metric(named: EngineMetricNames.finishedRequests)?.data.sum)
        let finishedTotal = finished.dataPoints.reduce(Int64(0)) { $0 + Int64($1.value.doubleValue) }
        #expect(finishedTotal == Int64(requests.count))
        #expect(finished.dataPoints.allSatisfy { $0.attributes[EngineMetricNames.reasonDimension] != nil })
        #expect(metrics.metric(named: EngineMetricNames.kvCacheMemory)?.data.gaugePoints != nil)
        // Every metric collected is in the engine's table with the kind it declares.
        for metric in metrics.resourceMetrics.flatMap({ $0.scopeMetrics.flatMap(\.metrics) }) {
            let descriptor = try #require(EngineMetricNames.descriptor(named: metric.name), "\(metric.name)")
            #expect(metric.unit == descriptor.unit)
            switch descriptor.kind {
            case .counter: #expect(metric.data.sum != nil, "\(metric.name)")
            case .gauge: #expect(metric.data.gaugePoints != nil, "\(metric.name)")
            case .histogram: #expect(metric.data.histogram != nil, "\(metric.name)")
            }
        }

        // Spans: one request span per request with queue, prefill and decode children.
        let spans = try #require(tracer.drain()).spans
        let roots = spans.filter { $0.name == EngineSpanNames.request }
        #expect(roots.count == requests.count)
        #expect(Set(roots.map(\.traceID)).count == requests.count, "one trace per request")
        for request in requests {
            let root = try #require(
                roots.first { $0.attributes["inference.request.id"] == .string(request.id.rawValue) })
            #expect(root.kind == .server)
            #expect(root.parentSpanID == .invalid)
            #expect(root.attributes["gen_ai.request.model"] == .string("test-model"))
            #expect(root.attributes["gen_ai.usage.input_tokens"] == .int(Int64(request.promptTokens.count)))
            let children = spans.filter { $0.parentSpanID == root.spanID }.sorted {
                $0.startTimeUnixNano < $1.startTimeUnixNano
            }
            #expect(children.map(\.name) == [EngineSpanNames.queue, EngineSpanNames.prefill, EngineSpanNames.decode])
            #expect(children.allSatisfy { $0.traceID == root.traceID })
            #expect(root.startTimeUnixNano <= root.endTimeUnixNano)
            #expect(
                children.allSatisfy {
                    $0.startTimeUnixNano >= root.startTimeUnixNano && $0.endTimeUnixNano <= root.endTimeUnixNano
                })
        }
        #expect(tracer.droppedSpanCount == 0)
    }

    @Test func receiverDeliversAnEnginesTelemetry() async throws {
        let factory = Self.engineFactory()
        let tracer = PipelineTracer(resource: Self.resource)
        let metrics = RecordingConsumer<Metrics>()
        let traces = RecordingConsumer<Traces>()
        var logger = Logger(label: "engine-telemetry-tests")
        logger.logLevel = .critical
        let receiver = EngineTelemetryReceiver(
            resource: Self.resource, metricsFactory: factory, tracer: tracer,
            metrics: metrics, traces: traces, interval: .seconds(60), logger: logger
        )
        let engine = Engine(
            configuration: Self.configuration(), logger: logger, metricsFactory: factory, tracer: tracer)
        _ = await engine.generate(batch: [GenerationRequest(promptTokens: [1, 2, 3], maxNewTokens: 4)])
        receiver.deliver()
        let delivered = try #require(metrics.received.first)
        #expect(delivered.metric(named: EngineMetricNames.ttft)?.data.histogram?.dataPoints.first?.count == 1)
        #expect(traces.received.first?.spans.filter { $0.name == EngineSpanNames.request }.count == 1)
    }
}
