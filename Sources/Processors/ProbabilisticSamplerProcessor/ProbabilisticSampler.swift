public import ComponentKit
public import GatewayCore
internal import Logging
internal import SelfTelemetry

/// The `probabilistic_sampler` processor, `processors.probabilistic_sampler[/name]`: keeps a fixed share of traces
/// (all spans of a sampled trace, on every gateway with the same settings) or log records, deciding per item
/// without state, as the Collector does.
public struct ProbabilisticSamplerConfig: ComponentConfig {
    public enum Mode: String, Sendable, CaseIterable {
        case hashSeed = "hash_seed"
        case proportional
        case equalizing
    }

    /// `sampling_percentage`: 0 to 100 (more is 100). Default 0.
    public var percentage: Double = 0
    /// `hash_seed`: the seed of the `hash_seed` mode's FNV-1a hash; gateways of one tier must agree. Default 0.
    public var hashSeed: UInt32 = 0
    /// `mode`: `hash_seed` when a seed is set (or logs are sampled by an attribute), else `proportional`.
    public var mode: Mode?
    /// `sampling_precision`: hex digits of the thresholds written, 1 to 14. Default 4.
    public var precision = 4
    /// `fail_closed`: drop items whose sampling information is inconsistent or missing. Default true.
    public var failClosed = true
    /// `attribute_source` (logs): `traceID` (default) or `record` (hash `from_attribute`).
    public var attributeSource = "traceID"
    public var fromAttribute = ""
    /// `sampling_priority` (logs): an attribute whose value 0 drops and positive keeps the record.
    public var samplingPriority = ""

    public init() {}

    public func signalProblem(_ signal: Signal) -> String? {
        signal == .metrics ? "samples traces and logs only" : nil
    }

    /// The mode in effect for `signal`.
    func effectiveMode(_ signal: Signal) -> Mode {
        if let mode { return mode }
        if hashSeed != 0 || (signal == .logs && attributeSource != "traceID") { return .hashSeed }
        return .proportional
    }

    init(from reader: MappingReader) {
        percentage = reader.double("sampling_percentage", default: 0, min: 0)
        hashSeed = UInt32(reader.int("hash_seed", default: 0, min: 0, max: Int(UInt32.max)))
        if let text = reader.scalar("mode", expected: "a sampler mode"), !text.isEmpty {
            mode = Mode(rawValue: text)
            if mode == nil {
                reader.report(
                    "mode", "unsupported sampler mode \(quoted(text)); expected hash_seed, proportional or equalizing")
            }
        }
        precision = reader.int("sampling_precision", default: 4, min: 1, max: 14)
        failClosed = reader.bool("fail_closed", default: true)
        attributeSource = reader.string("attribute_source", default: "traceID")
        if attributeSource != "traceID" && attributeSource != "record" {
            reader.report("attribute_source", "expected traceID or record, got \(quoted(attributeSource))")
        }
        fromAttribute = reader.string("from_attribute", default: "")
        if attributeSource == "record" && fromAttribute.isEmpty {
            reader.report("from_attribute", "required with attribute_source: record")
        }
        samplingPriority = reader.string("sampling_priority", default: "")
        if mode != nil, mode != .hashSeed, attributeSource == "record" {
            reader.report("mode", "attribute_source: record needs the hash_seed mode")
        }
    }
}

/// The decision for one item, given its randomness and the sampling information it carries.
struct SamplingDecider: Sendable {
    let mode: ProbabilisticSamplerConfig.Mode
    let ratio: Double
    let precision: Int
    let seed: UInt32
    let failClosed: Bool
    /// The mode's own threshold (`hash_seed`, `equalizing`); nil for `proportional`, which scales the incoming one.
    let fixed: Sampling.Threshold?

    init(_ c: ProbabilisticSamplerConfig, signal: Signal) {
        mode = c.effectiveMode(signal)
        let percent = min(c.percentage, 100)
        ratio = max(percent / 100, percent == 0 ? 0 : Sampling.minProbability)
        precision = c.precision
        seed = c.hashSeed
        failClosed = c.failClosed
        switch mode {
        case _ where percent == 0:
            fixed = .never
        case .hashSeed:
            // As the Collector: the percentage scaled to 2^14 buckets in 32-bit float, rounded toward zero.
            let accept = UInt64(Float(percent) * Float(Sampling.hashBuckets) / 100)
            fixed = accept == 0 ? .never : Sampling.Threshold(unsigned: (Sampling.hashBuckets - accept) << 42)
        case .equalizing:
            fixed = Sampling.Threshold(probability: ratio, precision: precision) ?? .always
        case .proportional:
            fixed = nil
        }
    }

    /// Whether to keep the item, and the tracestate (or threshold and randomness) to write when kept.
    func decide(randomness: UInt64?, state: inout OTelTraceState) -> Bool {
        var threshold: Sampling.Threshold
        guard let randomness else { return !failClosed }
        if let arriving = state.threshold, !arriving.shouldSample(randomness) {
            // The item should not have been sampled upstream: the arriving threshold is inconsistent.
            state.threshold = nil
            if failClosed { return false }
        }
        if mode == .hashSeed, state.threshold != nil || state.randomness != nil {
            // Sampling information from an OTel sampler is in use: this mode must not overwrite it.
            if failClosed { return false }
            threshold = .always
        } else if let fixed {
            threshold = fixed
        } else {
            let incoming = state.threshold?.probability ?? 1
            threshold = Sampling.Threshold(probability: incoming * ratio, precision: precision) ?? .never
        }
        guard threshold.shouldSample(randomness) else { return false }
        // Never raise a sampling probability that arrived: keep the greater threshold.
        if let arriving = state.threshold, arriving > threshold { threshold = arriving }
        state.threshold = threshold
        if mode == .hashSeed { state.randomness = randomness }
        return true
    }
}

/// Samples spans by trace id (all spans of a trace decide alike) and log records by trace id or an attribute.
public struct ProbabilisticSampler<Data: TelemetryData>: Consumer {
    let decider: SamplingDecider
    let config: ProbabilisticSamplerConfig
    let next: any Consumer<Data>
    let sampled: TelemetryCounter
    let dropped: TelemetryCounter

    init(_ config: ProbabilisticSamplerConfig, next: any Consumer<Data>, name: String, registry: TelemetryRegistry) {
        self.config = config
        self.decider = SamplingDecider(config, signal: Data.signal)
        self.next = next
        let metric =
            Data.signal == .logs
            ? "otelcol_processor_probabilistic_sampler_count_logs_sampled_total"
            : "otelcol_processor_probabilistic_sampler_count_traces_sampled_total"
        sampled = registry.counter(
            metric, help: "Items the probabilistic sampler kept (sampled=true) or dropped (sampled=false).",
            labels: ["processor": name, "sampled": "true"])
        dropped = registry.counter(
            metric, help: "Items the probabilistic sampler kept (sampled=true) or dropped (sampled=false).",
            labels: ["processor": name, "sampled": "false"])
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        if let traces = data as? Traces {
            var kept = 0
            let filtered = sample(traces, kept: &kept)
            sampled.add(kept)
            dropped.add(traces.spanCount - kept)
            guard kept > 0, let out = filtered as? Data else { return .accepted }
            return try next.consume(out)
        }
        if let logs = data as? Logs {
            var kept = 0
            let filtered = sample(logs, kept: &kept)
            sampled.add(kept)
            dropped.add(logs.logRecordCount - kept)
            guard kept > 0, let out = filtered as? Data else { return .accepted }
            return try next.consume(out)
        }
        return try next.consume(data)
    }

    func sample(_ traces: Traces, kept: inout Int) -> Traces {
        var traces = traces
        traces.retainSpans { span, _, _ in keep(&span) }
        kept = traces.spanCount
        return traces
    }

    private func keep(_ span: inout Span) -> Bool {
        // The OpenTracing convention: sampling.priority 0 drops, anything else keeps.
        if let priority = span.attributes["sampling.priority"], let value = Self.number(priority) {
            return value != 0
        }
        guard var state = OTelTraceState(span.traceState) else { return !decider.failClosed }
        let randomness: UInt64? =
            decider.mode == .hashSeed
            ? Sampling.hashedRandomness(span.traceID.bytes, seed: decider.seed)
            : (state.randomness ?? (span.traceID.isValid ? Sampling.randomness(traceID: span.traceID.bytes) : nil))
        guard decider.decide(randomness: randomness, state: &state) else { return false }
        span.traceState = state.serialized
        return true
    }

    func sample(_ logs: Logs, kept: inout Int) -> Logs {
        var logs = logs
        logs.retainLogRecords { record, _, _ in keep(&record) }
        kept = logs.logRecordCount
        return logs
    }

    /// Log records carry the sampling information as attributes `sampling.threshold` and `sampling.randomness`.
    private func keep(_ record: inout LogRecord) -> Bool {
        if !config.samplingPriority.isEmpty, let priority = record.attributes[config.samplingPriority],
            let value = Self.number(priority)
        {
            return value != 0
        }
        var state = OTelTraceState("")!
        if case .string(let th)? = record.attributes["sampling.threshold"] {
            guard let parsed = Sampling.Threshold(tValue: Substring(th)) else { return !decider.failClosed }
            state.threshold = parsed
        }
        if case .string(let rv)? = record.attributes["sampling.randomness"] {
            guard rv.count == 14, let parsed = UInt64(rv, radix: 16) else { return !decider.failClosed }
            state.randomness = parsed
        }
        var randomness: UInt64?
        if config.attributeSource == "record" {
            randomness = record.attributes[config.fromAttribute].map {
                Sampling.hashedRandomness(Array($0.displayString.utf8), seed: decider.seed)
            }
        } else if decider.mode == .hashSeed {
            randomness = Sampling.hashedRandomness(record.traceID.bytes, seed: decider.seed)
        } else {
            randomness =
                state.randomness ?? (record.traceID.isValid ? Sampling.randomness(traceID: record.traceID.bytes) : nil)
        }
        guard decider.decide(randomness: randomness, state: &state) else { return false }
        if let threshold = state.threshold { record.attributes.set("sampling.threshold", .string(threshold.tValue)) }
        if decider.mode == .hashSeed, let rv = state.randomness {
            record.attributes.set("sampling.randomness", .string(Sampling.rValue(rv)))
        }
        return true
    }

    static func number(_ value: AnyValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

/// `probabilistic_sampler`, in traces and logs pipelines.
public struct ProbabilisticSamplerProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["probabilistic_sampler"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        ProbabilisticSamplerConfig(from: reader)
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? ProbabilisticSamplerConfig else {
            throw ComponentBuildError("not a probabilistic_sampler config")
        }
        return ProbabilisticSampler<D>(
            c, next: next, name: context.base.id.description, registry: context.base.registry)
    }
}
