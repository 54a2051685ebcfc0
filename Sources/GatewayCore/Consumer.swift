/// The next stage of a pipeline: a processor, an exporter, or a fan-out to several.
///
/// `consume` is synchronous and must not block: a stage that does I/O queues the data and answers at once.
/// Throwing refuses the data; the receiver turns the error into the protocol's status, so the client learns
/// whether to retry. This mirrors the Collector's `consumer.Traces` and keeps the receive path free of
/// task hops.
public protocol Consumer<Data>: Sendable {
    associatedtype Data: TelemetryData
    /// Takes `data`, or throws to refuse all of it. A stage that keeps some items and refuses others (a cardinality
    /// limit, say) returns the refused part, which the receiver reports in OTLP's `partial_success`.
    @discardableResult
    func consume(_ data: Data) throws(PipelineError) -> ConsumeResult
}

/// What a stage that accepted data refused of it, for OTLP's `partial_success`.
public struct ConsumeResult: Sendable, Hashable {
    /// Items (spans, data points, log records) the stage dropped on purpose.
    public var rejectedItems: Int
    /// Why, for the client.
    public var message: String

    public init(rejectedItems: Int = 0, message: String = "") {
        self.rejectedItems = rejectedItems
        self.message = message
    }

    public static let accepted = ConsumeResult()

    /// The larger rejection of two consumers that saw the same data (a fan-out).
    public func merged(with other: ConsumeResult) -> ConsumeResult {
        other.rejectedItems > rejectedItems ? other : self
    }
}

/// Sends the same data to several consumers (pipelines sharing a receiver, or a pipeline's exporters).
/// Data is a value type, so no consumer can see another's changes.
public struct FanOutConsumer<Data: TelemetryData>: Consumer {
    public let consumers: [any Consumer<Data>]

    public init(_ consumers: [any Consumer<Data>]) { self.consumers = consumers }

    /// Offers the data to every consumer even after one refuses, then reports the first refusal. A permanent
    /// refusal wins over a retryable one: a retry would duplicate data at the consumers that accepted it.
    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        var firstError: PipelineError?
        var result = ConsumeResult.accepted
        for consumer in consumers {
            do {
                result = result.merged(with: try consumer.consume(data))
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
        return result
    }
}

/// A consumer that writes into a sink several exporters may read (a metric store read by a `prometheus` and a
/// `prometheusremotewrite` exporter with the same translation settings): where a pipeline lists two of them on the
/// same sink, the pipeline merges them and writes once, so delta points are not added twice.
public protocol MergeableConsumer: Sendable {
    /// The sink written to; consumers with the same one are merged.
    var sink: ObjectIdentifier { get }
    /// One consumer doing what this one and `other` (on the same sink) do.
    func merging(_ other: any MergeableConsumer) -> any MergeableConsumer
}
