/// The next stage of a pipeline: a processor, an exporter, or a fan-out to several.
///
/// `consume` is synchronous and must not block: a stage that does I/O queues the data and answers at once.
/// Throwing refuses the data; the receiver turns the error into the protocol's status, so the client learns
/// whether to retry. This mirrors the Collector's `consumer.Traces` and keeps the receive path free of
/// task hops.
public protocol Consumer<Data>: Sendable {
    associatedtype Data: TelemetryData
    func consume(_ data: Data) throws(PipelineError)
}

/// Sends the same data to several consumers (pipelines sharing a receiver, or a pipeline's exporters).
/// Data is a value type, so no consumer can see another's changes.
public struct FanOutConsumer<Data: TelemetryData>: Consumer {
    public let consumers: [any Consumer<Data>]

    public init(_ consumers: [any Consumer<Data>]) { self.consumers = consumers }

    /// Offers the data to every consumer even after one refuses, then reports the first refusal. A permanent
    /// refusal wins over a retryable one: a retry would duplicate data at the consumers that accepted it.
    public func consume(_ data: Data) throws(PipelineError) {
        var firstError: PipelineError?
        for consumer in consumers {
            do {
                try consumer.consume(data)
            } catch {
                if firstError == nil || (firstError!.isRetryable && !error.isRetryable) { firstError = error }
            }
        }
        if let firstError {
            // Some consumers already took the data: a retry would duplicate it there.
            if consumers.count > 1, firstError.isRetryable {
                throw PipelineError.permanent("partially delivered: \(firstError.message)")
            }
            throw firstError
        }
    }
}
