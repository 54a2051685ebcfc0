public import Logging
public import Metrics
internal import Synchronization
public import Tracing

/// A continuous-batching inference engine: requests are admitted into a running batch as KV-cache blocks and the
/// per-step token budget allow, their prompts prefilled in chunks, and one token per request decoded each step.
///
/// `submit(_:)` and `cancel(_:)` may be called from anywhere; they only append to an inbox. The step loop
/// (`run()`, usually through `EngineService`) applies the inbox and runs steps until there is no work, then sleeps
/// until a submission arrives. `generate(batch:)` runs steps itself when no loop is running.
///
/// Metrics go to `MetricsSystem.factory` and spans to `InstrumentationSystem.tracer` unless a factory or tracer is
/// given; names, units and buckets are in `EngineMetricNames`, span names in `EngineSpanNames`.
public final class Engine: Sendable {
    /// The configuration the engine was made with.
    public let configuration: EngineConfiguration

    fileprivate enum Command: Sendable {
        case submit(Submission)
        case cancel(RequestID)
    }

    private enum Mode: Sendable, Equatable {
        case accepting
        case shuttingDown(ShutdownBehavior)
    }

    private struct Inbox: Sendable {
        var commands: [Command] = []
        var mode: Mode = .accepting
        /// `run()` is running.
        var loopRunning = false
        /// `generate(batch:)` is running steps itself.
        var driving = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let inbox = Mutex(Inbox())
    private let core: Mutex<EngineCore>
    private let metrics: EngineMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - configuration: must pass `EngineConfiguration.validate()`.
    ///   - logger: engine events; request-level events are at debug level.
    ///   - metricsFactory: where metrics go; default `MetricsSystem.factory` at the time of the call.
    ///   - tracer: where spans go; default `InstrumentationSystem.tracer` at the time of the call.
    public init(
        configuration: EngineConfiguration,
        logger: Logger = Logger(label: "inference-engine"),
        metricsFactory: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) {
        do {
            try configuration.validate()
        } catch {
            preconditionFailure("invalid EngineConfiguration: \(error)")
        }
        self.configuration = configuration
        self.logger = logger
        let metrics = EngineMetrics(
            factory: metricsFactory ?? MetricsSystem.factory,
            modelName: configuration.modelName
        )
        self.metrics = metrics
        self.core = Mutex(
            EngineCore(
                configuration: configuration,
                metrics: metrics,
                tracer: tracer ?? InstrumentationSystem.tracer,
                logger: logger
            )
        )
        core.withLock { $0.recordIdle() }
    }

    // MARK: Requests

    /// Submits a request; its tokens arrive on the returned stream as they are produced.
    ///
    /// The stream finishes after the last token (stop token or `maxNewTokens`), or throws an `EngineError` when the
    /// request fails or is cancelled. Ending the iteration early (or cancelling the consuming task) cancels the
    /// request.
    public func submit(_ request: GenerationRequest) -> AsyncThrowingStream<Int, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let id = request.id
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel(id) }
        }
        enqueue(request, sink: RequestSink(tokens: continuation, completion: nil))
        return stream
    }

    /// Cancels a request: it ends with `FinishReason.cancelled` at the next step and its blocks are freed.
    /// Unknown or finished ids are ignored.
    public func cancel(_ id: RequestID) {
        send(.cancel(id))
    }

    /// Runs a batch of requests to completion and returns their results in the order given.
    ///
    /// When no step loop is running, the calling task runs steps itself until every request of the batch has
    /// ended and the engine is idle (so concurrent callers and streams are served as well). Cancelling the calling
    /// task cancels the batch's requests.
    public func generate(batch requests: [GenerationRequest]) async -> [GenerationResult] {
        guard !requests.isEmpty else { return [] }
        let collector = BatchCollector(count: requests.count)
        let (done, doneContinuation) = AsyncStream<Void>.makeStream()
        for (index, request) in requests.enumerated() {
            let sink = RequestSink(tokens: nil) { result in
                if collector.store(result, at: index) { doneContinuation.finish() }
            }
            enqueue(request, sink: sink)
        }
        let ids = requests.map(\.id)
        let drive = inbox.withLock { inbox in
            if inbox.loopRunning || inbox.driving { return false }
            inbox.driving = true
            return true
        }
        await withTaskCancellationHandler {
            if drive {
                // Completions arrive synchronously inside `step`, so the collector is up to date after each one.
                // Other callers' work is served too: they found this task driving and rely on it, so it stops only
                // when the engine is idle and hands over atomically with the inbox being empty.
                while true {
                    let commands = takeCommands()
                    let hasWork = core.withLock { core in
                        core.apply(commands)
                        if core.hasWork { core.step() }
                        if !core.hasWork { core.recordIdle() }
                        return core.hasWork
                    }
                    if !hasWork && collector.isComplete {
                        let released = inbox.withLock { inbox in
                            guard inbox.commands.isEmpty else { return false }
                            inbox.driving = false
                            return true
                        }
                        if released { break }
                    }
                    await Task.yield()
                }
            }
            for await _ in done {}
        } onCancel: {
            for id in ids { self.cancel(id) }
        }
        return collector.results
    }

    // MARK: Step loop

    /// Runs the step loop: applies submissions and cancellations, runs steps while there is work, and sleeps
    /// without spinning while there is none.
    ///
    /// Returns after `shutdown(_:)` once accepted work is finished (or cancelled), or when the calling task is
    /// cancelled, which cancels every live request first. Only one loop may run at a time.
    public func run() async {
        let alreadyRunning = inbox.withLock { inbox in
            defer { inbox.loopRunning = true }
            return inbox.loopRunning
        }
        precondition(!alreadyRunning, "Engine.run() is already running")
        defer { inbox.withLock { $0.loopRunning = false } }
        logger.info(
            "inference engine started",
            metadata: [
                "model_name": "\(configuration.modelName)",
                "parameters": "\(configuration.model.parameterCount)",
                "kv_cache_bytes": "\(configuration.kvCacheBytes)",
                "scheduler": "\(configuration.scheduler.rawValue)",
            ]
        )
        var idle = false
        while true {
            let (commands, mode) = inbox.withLock { inbox in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return (inbox.commands, inbox.mode)
            }
            let cancelled = Task.isCancelled
            let hasWork = core.withLock { core in
                core.apply(commands)
                if cancelled {
                    core.cancelAll(message: "the engine was cancelled")
                } else if mode == .shuttingDown(.cancelInFlight) {
                    core.cancelAll(message: "the engine is shutting down")
                }
                return core.hasWork
            }
            if hasWork {
                idle = false
                core.withLock { _ = $0.step() }
                await Task.yield()
                continue
            }
            if !idle {
                core.withLock { $0.recordIdle() }
                idle = true
            }
            if cancelled || mode != .accepting { break }
            await waitForWork()
        }
        logger.info("inference engine stopped", metadata: ["steps": "\(statistics.steps)"])
    }

    /// Stops taking requests; `run()` returns once accepted ones are finished or, with `.cancelInFlight`,
    /// cancelled. Later submissions fail with `EngineError.Code.shuttingDown`.
    public func shutdown(_ behavior: ShutdownBehavior) {
        let waiter = inbox.withLock { inbox -> CheckedContinuation<Void, Never>? in
            switch inbox.mode {
            case .accepting:
                inbox.mode = .shuttingDown(behavior)
            case .shuttingDown(let current):
                // Escalating from finishing to cancelling is allowed; the reverse is not.
                if current == .finishInFlight { inbox.mode = .shuttingDown(behavior) }
            }
            defer { inbox.waiter = nil }
            return inbox.waiter
        }
        waiter?.resume()
    }

    /// The state of a live request; nil once it has ended (its `GenerationResult` or stream tells how) or when
    /// the engine has not taken it in yet.
    public func status(of id: RequestID) -> RequestStatus? {
        core.withLock { $0.live[id]?.status }
    }

    /// Whether new requests are taken.
    public var isAccepting: Bool {
        inbox.withLock { $0.mode == .accepting }
    }

    /// A snapshot of the engine's state.
    public var statistics: EngineStatistics {
        core.withLock { $0.statistics }
    }

    // MARK: Internals

    /// Queues a request with an arbitrary sink (the workload generator wants results, not token streams).
    func enqueue(_ request: GenerationRequest, sink: RequestSink) {
        let submission = Submission(
            request: request,
            sink: sink,
            arrival: ContinuousClock.now,
            tracerArrival: DefaultTracerClock.now,
            context: ServiceContext.current ?? .topLevel
        )
        let refused = inbox.withLock { inbox -> Bool in
            guard inbox.mode == .accepting else { return true }
            inbox.commands.append(.submit(submission))
            return false
        }
        if refused {
            refuse(submission)
        } else {
            wake()
        }
    }

    /// Ends a submission that arrived during shutdown, without involving the core.
    private func refuse(_ submission: Submission) {
        let error = EngineError(code: .shuttingDown, message: "the inference engine is shutting down")
        metrics.finished(.failed).increment()
        submission.sink.tokens?.finish(throwing: error)
        submission.sink.completion?(
            GenerationResult(
                requestID: submission.request.id,
                promptTokens: submission.request.promptTokens,
                generatedTokens: [],
                finishReason: .failed,
                error: error
            )
        )
    }

    private func send(_ command: Command) {
        inbox.withLock { $0.commands.append(command) }
        wake()
    }

    private func wake() {
        let waiter = inbox.withLock { inbox in
            defer { inbox.waiter = nil }
            return inbox.waiter
        }
        waiter?.resume()
    }

    private func takeCommands() -> [Command] {
        inbox.withLock { inbox in
            defer { inbox.commands.removeAll(keepingCapacity: true) }
            return inbox.commands
        }
    }

    /// Suspends until a command arrives, shutdown begins, or the task is cancelled.
    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = inbox.withLock { inbox -> Bool in
                    if !inbox.commands.isEmpty || inbox.mode != .accepting || Task.isCancelled { return true }
                    precondition(inbox.waiter == nil, "only one step loop may wait for work")
                    inbox.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
    }

    /// The free list and every block table of the KV cache (invariant checks).
    var blockOwnership: (free: [Int32], tables: [RequestID: [Int32]]) {
        core.withLock { ($0.cache.freeBlocks, $0.cache.blockTables) }
    }
}

/// Gathers the results of one `generate(batch:)` call, which arrive from the core in any order.
private final class BatchCollector: Sendable {
    private struct State {
        var results: [GenerationResult?]
        var remaining: Int
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    /// Stores a result; true when it was the last one.
    func store(_ result: GenerationResult, at index: Int) -> Bool {
        state.withLock { state in
            precondition(state.results[index] == nil, "request \(result.requestID) ended twice")
            state.results[index] = result
            state.remaining -= 1
            return state.remaining == 0
        }
    }

    var isComplete: Bool { state.withLock { $0.remaining == 0 } }

    var results: [GenerationResult] { state.withLock { $0.results.map { $0! } } }
}

extension EngineCore {
    fileprivate func apply(_ commands: [Engine.Command]) {
        for command in commands {
            switch command {
            case .submit(let submission): admit(submission)
            case .cancel(let id): cancel(id)
            }
        }
    }
}
