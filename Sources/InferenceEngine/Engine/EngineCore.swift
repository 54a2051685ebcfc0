internal import Logging
internal import Metrics
internal import Tracing

/// The engine's single-threaded heart: live requests, scheduler, KV cache and model, advanced one step at a time.
///
/// `Engine` owns it behind a mutex; tests drive it directly. Sinks are called with the core locked, so they must
/// not call back into the core (they may call `Engine.cancel`, which only touches the inbox).
final class EngineCore {
    let configuration: EngineConfiguration
    let cache: PagedKVCache
    let model: TransformerModel
    private(set) var scheduler: Scheduler
    private(set) var live: [RequestID: LiveRequest] = [:]

    private let metrics: EngineMetrics
    private let tracer: any Tracer
    private let logger: Logger
    private let clock = ContinuousClock()
    private var nextArrivalIndex: UInt64 = 0
    private var stepSampler: SplitMix64
    private var logits: [Float] = []
    private var report = StepReport()

    private(set) var steps = 0
    private(set) var processedTokens = 0
    private(set) var generatedTokens = 0
    private(set) var preemptions = 0
    private(set) var finishedRequests = 0
    /// Time spent in the model's forward passes and in the whole step, for the benchmark's split of step time
    /// into compute and bookkeeping (scheduling, cache accounting, sampling, telemetry).
    private(set) var forwardTime: Duration = .zero
    private(set) var stepTime: Duration = .zero

    init(configuration: EngineConfiguration, metrics: EngineMetrics, tracer: any Tracer, logger: Logger) {
        precondition((try? configuration.validate()) != nil, "EngineCore needs a valid EngineConfiguration")
        self.configuration = configuration
        let model = configuration.model
        self.cache = PagedKVCache(
            numLayers: model.numLayers,
            numBlocks: configuration.numBlocks,
            blockSize: configuration.blockSize,
            numKVHeads: model.numKVHeads,
            headDim: model.headDim
        )
        self.model = TransformerModel(configuration: model, blockSize: configuration.blockSize)
        self.scheduler = Scheduler(policy: configuration.scheduler, maxBatchTokens: configuration.maxBatchTokens)
        self.metrics = metrics
        self.tracer = tracer
        self.logger = logger
        self.stepSampler = SplitMix64(seed: configuration.seed)
    }

    var hasWork: Bool { !scheduler.isEmpty }

    var statistics: EngineStatistics {
        EngineStatistics(
            runningRequests: scheduler.running.count,
            waitingRequests: scheduler.waiting.count,
            totalBlocks: cache.numBlocks,
            freeBlocks: cache.freeBlockCount,
            kvCacheBytes: cache.totalBytes,
            kvCacheUsedBytes: cache.usedBytes,
            steps: steps,
            processedTokens: processedTokens,
            generatedTokens: generatedTokens,
            preemptions: preemptions,
            finishedRequests: finishedRequests
        )
    }

    // MARK: Intake

    /// Registers a request, or ends it at once as failed when it cannot be served.
    func admit(_ submission: Submission) {
        let request = submission.request
        let trace = RequestTrace(
            tracer: tracer,
            parent: submission.context,
            arrival: submission.tracerArrival,
            request: request,
            modelName: configuration.modelName
        )
        let entry = LiveRequest(
            request: request,
            arrivalIndex: nextArrivalIndex,
            arrival: submission.arrival,
            sink: submission.sink,
            trace: trace
        )
        nextArrivalIndex += 1
        if let error = validate(request) {
            logger.debug("request refused", metadata: ["request.id": "\(request.id)", "error": "\(error)"])
            finish(entry, reason: .failed, error: error)
            return
        }
        live[request.id] = entry
        scheduler.enqueue(entry)
    }

    private func validate(_ request: GenerationRequest) -> EngineError? {
        func invalid(_ message: String) -> EngineError { EngineError(code: .invalidRequest, message: message) }
        let model = configuration.model
        if live[request.id] != nil {
            return EngineError(code: .duplicateRequestID, message: "a request with id \(request.id) is already live")
        }
        if request.promptTokens.isEmpty { return invalid("the prompt is empty") }
        if let bad = request.promptTokens.first(where: { $0 < 0 || $0 >= model.vocabularySize }) {
            return invalid("prompt token \(bad) is outside the vocabulary 0..<\(model.vocabularySize)")
        }
        if request.maxNewTokens < 1 {
            return invalid("max_new_tokens must be at least 1 (got \(request.maxNewTokens))")
        }
        let total = request.promptTokens.count + request.maxNewTokens
        if total > model.maxSequenceLength {
            return invalid(
                "prompt (\(request.promptTokens.count)) + max_new_tokens (\(request.maxNewTokens)) exceeds "
                    + "max_sequence_length \(model.maxSequenceLength)"
            )
        }
        if total > cache.tokenCapacity {
            return invalid("prompt + max_new_tokens (\(total)) exceeds the KV cache (\(cache.tokenCapacity) tokens)")
        }
        if case .temperature(let t, _) = request.sampling, !(t >= 0 && t.isFinite) {
            return invalid("temperature must be a finite number >= 0 (got \(t))")
        }
        let limit = configuration.maxWaitingRequests
        if limit > 0 && scheduler.waiting.count >= limit {
            return EngineError(
                code: .queueFull,
                message: "\(limit) requests are already waiting (max_waiting_requests)"
            )
        }
        return nil
    }

    /// Cancels a live request; unknown or finished ids are ignored.
    func cancel(_ id: RequestID, message: String? = nil) {
        guard let entry = live[id] else { return }
        finish(
            entry,
            reason: .cancelled,
            error: EngineError(code: .cancelled, message: message ?? "request \(id) was cancelled")
        )
    }

    /// Cancels every live request, oldest first.
    func cancelAll(message: String) {
        for entry in live.values.sorted(by: { $0.arrivalIndex < $1.arrivalIndex }) {
            cancel(entry.id, message: message)
        }
    }

    /// Brings the queue and cache gauges up to date; called whenever the engine goes idle, so they never go stale.
    func recordIdle() {
        metrics.recordQueue(active: scheduler.running.count, waiting: scheduler.waiting.count)
        metrics.recordCache(cache)
    }

    // MARK: Step

    /// Schedules, runs the model over, and samples one batch.
    @discardableResult
    func step() -> StepReport {
        report = StepReport()
        steps += 1
        let start = clock.now
        defer { stepTime += clock.now - start }
        metrics.recordQueue(active: scheduler.running.count, waiting: scheduler.waiting.count)

        let sampleRatio = configuration.spanSampleRatio
        let sampled = sampleRatio >= 1 || (sampleRatio > 0 && stepSampler.nextUnitDouble() < sampleRatio)
        let stepSpan: (any Span)? = sampled ? tracer.startSpan(EngineSpanNames.step, context: .topLevel) : nil
        defer { stepSpan?.end() }

        let scheduleSpan = stepSpan.map { tracer.startSpan(EngineSpanNames.scheduleBatch, context: $0.context) }
        let plan = scheduler.schedule(cache: cache)
        scheduleSpan?.end()

        for entry in plan.preempted {
            preemptions += 1
            metrics.preemptions.increment()
            entry.trace.preempted(count: entry.preemptions)
            report.preempted.append(entry.id)
            logger.debug(
                "request preempted: KV cache out of blocks",
                metadata: ["request.id": "\(entry.id)", "preemptions": "\(entry.preemptions)"]
            )
        }
        for entry in plan.admitted {
            report.admitted.append(entry.id)
            guard entry.firstScheduled == nil else { continue }
            entry.firstScheduled = start
            metrics.queueTime.record((start - entry.arrival).milliseconds)
            metrics.promptTokens.increment(by: entry.promptCount)
            entry.trace.enter(EngineSpanNames.prefill)
        }
        report.prefillTokens = plan.prefillTokens
        report.decodeTokens = plan.decodeTokens
        report.chunks = plan.chunks.map {
            StepReport.Chunk(id: $0.request.id, start: $0.start, count: $0.count, isDecode: $0.isDecode)
        }
        metrics.recordCache(cache)
        guard !plan.chunks.isEmpty else { return report }
        metrics.recordBatch(
            prefillTokens: plan.prefillTokens,
            decodeTokens: plan.decodeTokens,
            maxBatchTokens: configuration.maxBatchTokens
        )
        processedTokens += plan.totalTokens

        let vocabulary = model.vocabularySize
        let producing = plan.chunks.reduce(0) { $0 + ($1.producesToken ? 1 : 0) }
        if logits.count < producing * vocabulary {
            logits = Array(repeating: 0, count: producing * vocabulary)
        }
        logits.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let forwardSpan = stepSpan.map { tracer.startSpan(EngineSpanNames.modelForward, context: $0.context) }
            let forwardStart = clock.now
            var slot = 0
            for chunk in plan.chunks {
                let entry = chunk.request
                let output = chunk.producesToken ? base + slot * vocabulary : nil
                if chunk.producesToken { slot += 1 }
                model.forward(
                    tokens: entry.tokens[chunk.start..<(chunk.start + chunk.count)],
                    startPosition: chunk.start,
                    blockTable: cache.blockTable(for: entry.id),
                    cache: cache,
                    logits: output
                )
                entry.computedCount += chunk.count
            }
            forwardTime += clock.now - forwardStart
            forwardSpan?.end()

            let updateSpan = stepSpan.map { tracer.startSpan(EngineSpanNames.updateBatch, context: $0.context) }
            slot = 0
            for chunk in plan.chunks where chunk.producesToken {
                let entry = chunk.request
                let row = base + slot * vocabulary
                slot += 1
                guard let token = entry.sampler.sample(row, count: vocabulary) else {
                    let error = EngineError(code: .numericalError, message: "the model produced non-finite logits")
                    logger.error("request failed", metadata: ["request.id": "\(entry.id)", "error": "\(error)"])
                    finish(entry, reason: .failed, error: error)
                    continue
                }
                emit(token, for: entry)
            }
            updateSpan?.end()
        }

        if let stepSpan, stepSpan.isRecording {
            stepSpan.attributes["engine.step"] = steps
            stepSpan.attributes["gen_ai.request.model"] = configuration.modelName
            stepSpan.attributes["batch.requests"] = plan.chunks.count
            stepSpan.attributes["batch.prefill_tokens"] = plan.prefillTokens
            stepSpan.attributes["batch.decode_tokens"] = plan.decodeTokens
            stepSpan.attributes["batch.tokens"] = plan.totalTokens
            stepSpan.attributes["batch.fill_percentage"] =
                Double(plan.totalTokens) / Double(configuration.maxBatchTokens) * 100
            stepSpan.attributes["batch.admitted"] = plan.admitted.count
            stepSpan.attributes["batch.preempted"] = plan.preempted.count
            stepSpan.attributes["kv_cache.free_blocks"] = cache.freeBlockCount
            stepSpan.attributes["kv_cache.usage"] = cache.usage
        }
        return report
    }

    private func emit(_ token: Int, for entry: LiveRequest) {
        let now = clock.now
        if let last = entry.lastToken {
            metrics.interTokenLatency.record((now - last).milliseconds)
        } else {
            entry.firstToken = now
            metrics.ttft.record((now - entry.arrival).milliseconds)
            if let scheduled = entry.firstScheduled {
                metrics.prefillTime.record((now - scheduled).milliseconds)
            }
            entry.trace.enter(EngineSpanNames.decode)
        }
        entry.lastToken = now
        entry.append(token)
        entry.status = .decoding
        generatedTokens += 1
        metrics.generationTokens.increment()
        report.emitted.append((entry.id, token))
        entry.sink.tokens?.yield(token)

        if let stop = entry.stopToken, token == stop {
            finish(entry, reason: .stop, error: nil)
        } else if entry.generatedCount >= entry.maxNewTokens {
            finish(entry, reason: .length, error: nil)
        }
    }

    // MARK: End of a request

    private func finish(_ entry: LiveRequest, reason: FinishReason, error: EngineError?) {
        let now = clock.now
        // A refused duplicate shares its id with a live request whose blocks must stay.
        if live[entry.id] === entry {
            live[entry.id] = nil
            scheduler.remove(entry)
            cache.free(entry.id)
        }
        entry.status = reason.status
        finishedRequests += 1
        metrics.finished(reason).increment()
        if reason == .stop || reason == .length {
            metrics.requestLatency.record((now - entry.arrival).milliseconds)
            if let first = entry.firstToken, let last = entry.lastToken {
                metrics.decodeTime.record((last - first).milliseconds)
            }
            if let scheduled = entry.firstScheduled, let last = entry.lastToken {
                metrics.inferenceTime.record((last - scheduled).milliseconds)
            }
            metrics.requestPromptTokens.record(entry.promptCount)
            metrics.requestGenerationTokens.record(entry.generatedCount)
        }
        entry.trace.finish(
            reason: reason,
            generatedTokens: entry.generatedCount,
            preemptions: entry.preemptions,
            error: error
        )
        report.finished.append((entry.id, reason))
        logger.debug(
            "request finished",
            metadata: [
                "request.id": "\(entry.id)", "reason": "\(reason.rawValue)",
                "prompt_tokens": "\(entry.promptCount)", "generated_tokens": "\(entry.generatedCount)",
                "preemptions": "\(entry.preemptions)",
            ]
        )

        if let error {
            entry.sink.tokens?.finish(throwing: error)
        } else {
            entry.sink.tokens?.finish()
        }
        entry.sink.completion?(
            GenerationResult(
                requestID: entry.id,
                promptTokens: Array(entry.prompt),
                generatedTokens: Array(entry.generated),
                finishReason: reason,
                error: error,
                preemptions: entry.preemptions,
                queueTime: entry.firstScheduled.map { $0 - entry.arrival },
                timeToFirstToken: entry.firstToken.map { $0 - entry.arrival },
                latency: now - entry.arrival
            )
        )
    }
}
