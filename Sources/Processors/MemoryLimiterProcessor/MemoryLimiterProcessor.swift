public import GatewayCore
public import SelfTelemetry

/// The `memory_limiter` processor in one pipeline: passes data on while its `MemoryLimiter` is below the soft
/// limit and refuses it with a retryable error (UNAVAILABLE / 503 at the receiver) while above.
///
/// It should be the first processor of a pipeline, so refused data has cost nothing downstream; the receivers
/// also read the limiter's flag before decoding, so over the limit most requests never reach this point.
public final class MemoryLimiterProcessor<Data: TelemetryData>: Consumer, Sendable {
    private let limiter: MemoryLimiter
    private let next: any Consumer<Data>
    private let accepted: TelemetryCounter
    private let refused: TelemetryCounter
    private let retryAfterSeconds: Int

    public init(limiter: MemoryLimiter, next: any Consumer<Data>, registry: TelemetryRegistry) {
        self.limiter = limiter
        self.next = next
        let unit = Data.signal.itemUnit
        let labels = ["processor": limiter.name]
        // The Collector's memory_limiter series (`otelcol_processor_{accepted,refused}_<unit>`).
        accepted = registry.counter(
            "otelcol_processor_accepted_\(unit)_total",
            help: "Number of \(unit) successfully pushed into the next component in the pipeline.", labels: labels)
        refused = registry.counter(
            "otelcol_processor_refused_\(unit)_total",
            help: "Number of \(unit) that were rejected by the next component in the pipeline.", labels: labels)
        // A client should not come back before the next measurement could have changed the answer.
        let interval = limiter.settings.checkInterval.components
        retryAfterSeconds = max(1, Int(interval.seconds) + (interval.attoseconds > 0 ? 1 : 0))
    }

    @discardableResult
    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let count = data.itemCount
        if limiter.pressure.isRefusing {
            refused.add(count)
            throw MemoryPressure.refusal(retryAfterSeconds: retryAfterSeconds)
        }
        accepted.add(count)
        return try next.consume(data)
    }
}
