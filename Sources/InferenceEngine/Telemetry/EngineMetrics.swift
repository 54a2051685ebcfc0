internal import Metrics

/// The engine's metric handles, made once and reused (looking a handle up per event would cost a lock and an
/// allocation in the factory). Names and units are in `EngineMetricNames`.
final class EngineMetrics: Sendable {
    let ttft: Recorder
    let activeRequests: Gauge
    let waitingRequests: Gauge
    let requestLatency: Recorder
    let decodePrefillRatio: Gauge
    let prefillTokensProcessed: Counter
    let decodeTokensProcessed: Counter
    let batchFillPercentage: Recorder
    let kvCacheFreeMemory: Gauge
    let kvCacheMemory: Gauge

    let interTokenLatency: Recorder
    let queueTime: Recorder
    let prefillTime: Recorder
    let decodeTime: Recorder
    let inferenceTime: Recorder
    let requestPromptTokens: Recorder
    let requestGenerationTokens: Recorder
    let iterationTokens: Recorder
    let promptTokens: Counter
    let generationTokens: Counter
    let preemptions: Counter
    let kvCacheUsage: Gauge
    private let finished: [FinishReason: Counter]

    init(factory: any MetricsFactory, modelName: String) {
        let model = [(EngineMetricNames.modelNameDimension, modelName)]
        typealias Names = EngineMetricNames
        func histogram(_ name: String) -> Recorder {
            Recorder(label: name, dimensions: model, aggregate: true, factory: factory)
        }
        func gauge(_ name: String) -> Gauge { Gauge(label: name, dimensions: model, factory: factory) }
        func counter(_ name: String) -> Counter { Counter(label: name, dimensions: model, factory: factory) }

        ttft = histogram(Names.ttft)
        activeRequests = gauge(Names.activeRequests)
        waitingRequests = gauge(Names.waitingRequests)
        requestLatency = histogram(Names.requestLatency)
        decodePrefillRatio = gauge(Names.decodePrefillRatio)
        prefillTokensProcessed = counter(Names.prefillTokensProcessed)
        decodeTokensProcessed = counter(Names.decodeTokensProcessed)
        batchFillPercentage = histogram(Names.batchFillPercentage)
        kvCacheFreeMemory = gauge(Names.kvCacheFreeMemory)
        kvCacheMemory = gauge(Names.kvCacheMemory)

        interTokenLatency = histogram(Names.interTokenLatency)
        queueTime = histogram(Names.queueTime)
        prefillTime = histogram(Names.prefillTime)
        decodeTime = histogram(Names.decodeTime)
        inferenceTime = histogram(Names.inferenceTime)
        requestPromptTokens = histogram(Names.requestPromptTokens)
        requestGenerationTokens = histogram(Names.requestGenerationTokens)
        iterationTokens = histogram(Names.iterationTokens)
        promptTokens = counter(Names.promptTokens)
        generationTokens = counter(Names.generationTokens)
        preemptions = counter(Names.preemptions)
        kvCacheUsage = gauge(Names.kvCacheUsage)
        var finished: [FinishReason: Counter] = [:]
        for reason in FinishReason.allCases {
            finished[reason] = Counter(
                label: Names.finishedRequests,
                dimensions: model + [(Names.reasonDimension, reason.rawValue)],
                factory: factory
            )
        }
        self.finished = finished
    }

    func finished(_ reason: FinishReason) -> Counter {
        finished[reason]!
    }

    func recordQueue(active: Int, waiting: Int) {
        activeRequests.record(active)
        waitingRequests.record(waiting)
    }

    func recordCache(_ cache: PagedKVCache) {
        kvCacheMemory.record(cache.usedBytes)
        kvCacheFreeMemory.record(cache.freeBytes)
        kvCacheUsage.record(cache.usage)
    }

    /// Records transformers' batch metrics (and the tokens-per-step histogram) for a non-empty step.
    func recordBatch(prefillTokens: Int, decodeTokens: Int, maxBatchTokens: Int) {
        if prefillTokens > 0 {
            prefillTokensProcessed.increment(by: prefillTokens)
            // As transformers: a decode-only step has no defined ratio and leaves the gauge as it was.
            decodePrefillRatio.record(Double(decodeTokens) / Double(prefillTokens))
        }
        if decodeTokens > 0 { decodeTokensProcessed.increment(by: decodeTokens) }
        let total = prefillTokens + decodeTokens
        batchFillPercentage.record(Double(total) / Double(maxBatchTokens) * 100)
        iterationTokens.record(total)
    }
}

extension Duration {
    /// The duration in milliseconds, as the engine's histograms record it.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
