public import ComponentKit
public import GatewayCore
internal import Logging
internal import SelfTelemetry
internal import Synchronization

/// The `tail_sampling` processor, `processors.tail_sampling[/name]`: holds each trace for `decision_wait` after its
/// first span, then keeps or drops it whole by its `policies`. The Collector's keys and defaults.
public struct TailSamplingConfig: ComponentConfig {
    /// `decision_wait`: how long after its first span a trace is decided. Default 30s.
    public var decisionWait: Duration = .seconds(30)
    /// `num_traces`: traces held at once; beyond it the oldest is decided early (counted). Default 50000.
    public var numTraces = 50_000
    /// `expected_new_traces_per_sec`: a sizing hint for the buffer. Default 0.
    public var expectedNewTracesPerSecond = 0
    /// `decision_cache.sampled_cache_size` / `non_sampled_cache_size`: decided trace ids remembered, so spans that
    /// arrive after the decision follow it. Default 0 (a late span starts a new trace).
    public var sampledCacheSize = 0
    public var nonSampledCacheSize = 0
    public var policies: [NamedPolicy] = []

    public init() {}

    public func signalProblem(_ signal: Signal) -> String? { signal == .traces ? nil : "samples traces only" }

    init(from reader: MappingReader) {
        decisionWait = reader.positiveDuration("decision_wait", default: decisionWait)
        numTraces = reader.int("num_traces", default: numTraces, min: 1)
        expectedNewTracesPerSecond = reader.int("expected_new_traces_per_sec", default: 0, min: 0)
        if let caches = reader.section(
            "decision_cache",
            { c -> (Int, Int) in
                (
                    c.int("sampled_cache_size", default: 0, min: 0),
                    c.int("non_sampled_cache_size", default: 0, min: 0)
                )
            })
        {
            (sampledCacheSize, nonSampledCacheSize) = caches
        }
        let list = reader.mappingList("policies", expected: "a policy") ?? []
        if list.isEmpty { reader.report("policies", "required: at least one policy") }
        var names: Set<String> = []
        for entry in list {
            if let policy = SamplingPolicy.decode(entry) {
                if !names.insert(policy.name).inserted {
                    entry.report("name", "duplicate policy name \(quoted(policy.name))")
                }
                policies.append(policy)
            }
            entry.finish()
        }
    }
}

/// Buffers spans by trace id and decides each trace once; see `TailSamplingConfig`.
///
/// Spans are accepted when buffered: a trace dropped by the policies is the point of this processor, not a loss.
/// On a graceful stop every trace still waiting is decided at once, and the sampled ones go on before the
/// exporters stop. When the next stage refuses a decided trace, its spans are counted as dropped and logged.
public final class TailSampler: Consumer, Sendable {
    public typealias Data = Traces

    private struct State {
        var traces: [TraceID: BufferedTrace] = [:]
        var order: [TraceID] = []
        var head = 0
        var sampled: IDCache
        var notSampled: IDCache
        var budgets = RateBudgets()
        /// Sampled spans the next stage refused as retryable (a full batch buffer or queue), tried again each tick.
        var unsent: [Traces] = []
    }

    let config: TailSamplingConfig
    let next: any Consumer<Traces>
    let logger: Logger
    /// Monotonic nanoseconds, injected so decisions are tested without waiting.
    let now: @Sendable () -> UInt64
    private let state: Mutex<State>
    private let perPolicy: [String: (sampled: TelemetryCounter, notSampled: TelemetryCounter)]
    private let globalSampled: TelemetryCounter
    private let globalNotSampled: TelemetryCounter
    private let onMemory: TelemetryGauge
    private let newTraces: TelemetryCounter
    private let early: TelemetryCounter
    private let lateSampled: TelemetryCounter
    private let lateDropped: TelemetryCounter
    private let droppedSpans: TelemetryCounter

    init(
        config: TailSamplingConfig, next: any Consumer<Traces>, name: String, registry: TelemetryRegistry,
        logger: Logger, now: @escaping @Sendable () -> UInt64
    ) {
        self.config = config
        self.next = next
        self.logger = logger
        self.now = now
        state = Mutex(
            State(
                sampled: IDCache(capacity: config.sampledCacheSize),
                notSampled: IDCache(capacity: config.nonSampledCacheSize)))
        let help = "Traces decided by each policy."
        var perPolicy: [String: (TelemetryCounter, TelemetryCounter)] = [:]
        for policy in config.policies {
            perPolicy[policy.name] = (
                registry.counter(
                    "otelcol_processor_tail_sampling_count_traces_sampled_total", help: help,
                    labels: ["processor": name, "policy": policy.name, "sampled": "true"]),
                registry.counter(
                    "otelcol_processor_tail_sampling_count_traces_sampled_total", help: help,
                    labels: ["processor": name, "policy": policy.name, "sampled": "false"])
            )
        }
        self.perPolicy = perPolicy
        let global = "Traces decided, sampled or not."
        globalSampled = registry.counter(
            "otelcol_processor_tail_sampling_global_count_traces_sampled_total", help: global,
            labels: ["processor": name, "sampled": "true"])
        globalNotSampled = registry.counter(
            "otelcol_processor_tail_sampling_global_count_traces_sampled_total", help: global,
            labels: ["processor": name, "sampled": "false"])
        onMemory = registry.gauge(
            "otelcol_processor_tail_sampling_sampling_traces_on_memory", help: "Traces waiting for their decision.",
            labels: ["processor": name])
        newTraces = registry.counter(
            "otelcol_processor_tail_sampling_new_trace_id_received_total", help: "Traces seen for the first time.",
            labels: ["processor": name])
        early = registry.counter(
            "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total",
            help: "Traces decided before decision_wait because num_traces was reached.", labels: ["processor": name])
        lateSampled = registry.counter(
            "otlp_gateway_tail_sampling_late_spans_total", help: "Spans that arrived after their trace was decided.",
            labels: ["processor": name, "decision": "sampled"])
        lateDropped = registry.counter(
            "otlp_gateway_tail_sampling_late_spans_total", help: "Spans that arrived after their trace was decided.",
            labels: ["processor": name, "decision": "not_sampled"])
        droppedSpans = registry.counter(
            "otelcol_processor_dropped_items_total",
            help: "Items the next stage refused after the processor had accepted them.",
            labels: ["processor": name, "otel_signal": "traces"])
    }

    public func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        let nowNanos = now()
        var forwardNow: [(BufferedTrace, Bool)] = []
        var late = BufferedTrace(arrivedNanos: nowNanos, metadata: data.metadata)
        state.withLock { s in
            for rs in data.resourceSpans {
                for ss in rs.scopeSpans {
                    for span in ss.spans {
                        let id = span.traceID
                        if s.traces[id] == nil {
                            if s.sampled.contains(id) {
                                late.add(span, rs, ss)
                                lateSampled.add()
                                continue
                            }
                            if s.notSampled.contains(id) {
                                lateDropped.add()
                                continue
                            }
                            s.traces[id] = BufferedTrace(arrivedNanos: nowNanos, metadata: data.metadata)
                            s.order.append(id)
                            newTraces.add()
                            if s.traces.count > config.numTraces, let oldest = Self.popOldest(&s) {
                                early.add()
                                forwardNow.append(decide(oldest, state: &s, nowNanos: nowNanos))
                            }
                        }
                        s.traces[id]?.add(span, rs, ss)
                    }
                }
            }
            onMemory.set(s.traces.count)
        }
        if late.spanCount > 0 { forwardNow.append((late, true)) }
        forward(forwardNow)
        return .accepted
    }

    /// Decides every trace whose wait is over (all of them with `all`, at a stop), and sends the sampled ones on.
    func tick(all: Bool = false) {
        let nowNanos = now()
        let waitNanos =
            UInt64(config.decisionWait.components.seconds) * 1_000_000_000
            + UInt64(config.decisionWait.components.attoseconds / 1_000_000_000)
        let decided = state.withLock { s -> [(BufferedTrace, Bool)] in
            var decided: [(BufferedTrace, Bool)] = []
            while s.head < s.order.count {
                let id = s.order[s.head]
                guard let trace = s.traces[id] else {
                    s.head += 1
                    continue
                }
                guard all || nowNanos >= trace.arrivedNanos + waitNanos else { break }
                _ = Self.popOldest(&s)
                decided.append(decide((id, trace), state: &s, nowNanos: nowNanos))
            }
            if s.head > 4096, s.head * 2 > s.order.count {
                s.order.removeFirst(s.head)
                s.head = 0
            }
            onMemory.set(s.traces.count)
            return decided
        }
        forward(decided, final: all)
    }

    private static func popOldest(_ s: inout State) -> (TraceID, BufferedTrace)? {
        while s.head < s.order.count {
            let id = s.order[s.head]
            s.head += 1
            if let trace = s.traces.removeValue(forKey: id) { return (id, trace) }
        }
        return nil
    }

    /// Runs the policies over one trace: any inverted "do not sample" drops it, else any "sample" keeps it.
    private func decide(_ entry: (TraceID, BufferedTrace), state s: inout State, nowNanos: UInt64) -> (
        BufferedTrace, Bool
    ) {
        let (id, trace) = entry
        var sampled = false
        var vetoed = false
        for policy in config.policies {
            let decision = policy.policy.evaluate(
                trace, id: id, path: policy.name, budgets: &s.budgets, nowNanos: nowNanos)
            let kept = decision == .sampled || decision == .invertSampled
            if kept { perPolicy[policy.name]?.sampled.add() } else { perPolicy[policy.name]?.notSampled.add() }
            if decision == .invertNotSampled { vetoed = true }
            if kept { sampled = true }
        }
        let keep = sampled && !vetoed
        if keep {
            globalSampled.add()
            s.sampled.insert(id)
        } else {
            globalNotSampled.add()
            s.notSampled.insert(id)
        }
        return (trace, keep)
    }

    /// Sends the sampled traces on, with what an earlier retryable refusal left. A retryable refusal keeps them
    /// for the next tick, up to `maxUnsentSpans`; a permanent one, or more than that, drops them, counted and
    /// logged. `final`: the last attempt at a stop, after which nothing is kept.
    private func forward(_ decided: [(BufferedTrace, Bool)], final: Bool = false) {
        var batches = state.withLock { s -> [Traces] in
            defer { s.unsent = [] }
            return s.unsent
        }
        // One batch per request metadata (tenant), so a tenant's traces never travel with another's headers.
        var byMetadata: [ClientMetadata: Int] = [:]
        for (trace, keep) in decided where keep {
            let traces = trace.traces
            if let index = byMetadata[trace.metadata] {
                batches[index].append(contentsOf: traces)
            } else {
                byMetadata[trace.metadata] = batches.count
                batches.append(traces)
            }
        }
        var kept: [Traces] = []
        var keptSpans = 0
        for batch in batches where batch.spanCount > 0 {
            do {
                _ = try next.consume(batch)
            } catch {
                if error.isRetryable, !final, keptSpans + batch.spanCount <= maxUnsentSpans {
                    kept.append(batch)
                    keptSpans += batch.spanCount
                    continue
                }
                droppedSpans.add(batch.spanCount)
                logger.warning(
                    "tail_sampling: the next stage refused sampled traces; their spans are dropped",
                    metadata: ["spans": "\(batch.spanCount)", "error": "\(error)"])
            }
        }
        if !kept.isEmpty { state.withLock { $0.unsent = kept + $0.unsent } }
    }

    /// Sampled spans kept for another try while the next stage refuses: as many as the traces held at once.
    var maxUnsentSpans: Int { Swift.max(10_000, config.numTraces) }

    /// Decides traces as their wait ends, every `tick` of `clock`; when stopped, decides everything waiting.
    func run<C: Clock>(clock: C, tick interval: Duration) async where C.Duration == Duration {
        await Periodic.run(every: interval, clock: clock, options: .init(tickAtStop: false)) { self.tick() }
        tick(all: true)
    }
}

/// `tail_sampling`, in traces pipelines.
public struct TailSamplingProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["tail_sampling"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        TailSamplingConfig(from: reader)
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? TailSamplingConfig else { throw ComponentBuildError("not a tail_sampling config") }
        guard let traces = next as? any Consumer<Traces> else {
            throw ComponentBuildError("processors.\(context.base.id): samples traces only")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let sampler = TailSampler(
            config: c, next: traces, name: context.base.id.description, registry: context.base.registry,
            logger: context.base.logger
        ) {
            let elapsed = start.duration(to: clock.now).components
            return UInt64(elapsed.seconds) * 1_000_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000)
        }
        let tick = min(Duration.seconds(1), c.decisionWait)
        context.base.addPart(.processors(of: D.signal), "processors.\(context.base.id) (\(context.pipeline))") {
            await sampler.run(clock: clock, tick: tick)
        }
        guard let consumer = sampler as? any Consumer<D> else {
            throw ComponentBuildError("processors.\(context.base.id): samples traces only")
        }
        return consumer
    }
}
