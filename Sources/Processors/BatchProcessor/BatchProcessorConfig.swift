public import ComponentKit

/// The `batch` processor: `processors.batch[/name]`.
public struct BatchProcessorConfig: Sendable, Equatable {
    /// `send_batch_size`: items that trigger sending a batch regardless of the timeout; 0 means only the
    /// timeout sends. Default 8192.
    public var sendBatchSize: Int
    /// `send_batch_max_size`: the most items in one batch, larger batches are split; 0 means unlimited.
    /// Must be 0 or at least `send_batch_size`. Default 0.
    public var sendBatchMaxSize: Int
    /// `timeout`: the longest a non-empty batch waits before it is sent, a Go duration; 0 sends
    /// immediately. Default `200ms`.
    public var timeout: Duration
    /// `max_pending_items`: items buffered before the processor refuses new data with a retryable error,
    /// at least 1. Our addition, not in the Collector. Default 20000: with the default send_batch_size of 8192,
    /// two batches and a half, enough to ride out a slow flush, small enough that a full queue reaches clients soon.
    public var maxPendingItems: Int
    /// `max_pending_bytes`: bytes buffered (data's `estimatedBytes`: the wire length of forwarded traces, an estimate
    /// of the decoded model otherwise) before the processor refuses new data with a retryable error, at least 1. Our
    /// addition. Default 32 MiB: a batch of 8192 large spans fits several times, and with the default 64 MiB
    /// sending queue a pipeline stays far inside a 512 MiB sidecar.
    public var maxPendingBytes: Int
    /// `metadata_keys`: request metadata keys (header names kept by a receiver's `include_metadata`) to batch by:
    /// one batcher per distinct combination of their values, whose batches carry those values on. Default none.
    public var metadataKeys: [String] = []
    /// `metadata_cardinality_limit`: the most distinct combinations; data of one more is refused. Default 1000.
    public var metadataCardinalityLimit = 1000

    public init(
        sendBatchSize: Int = 8192,
        sendBatchMaxSize: Int = 0,
        timeout: Duration = .milliseconds(200),
        maxPendingItems: Int = 20_000,
        maxPendingBytes: Int = 32 << 20
    ) {
        self.sendBatchSize = sendBatchSize
        self.sendBatchMaxSize = sendBatchMaxSize
        self.timeout = timeout
        self.maxPendingItems = maxPendingItems
        self.maxPendingBytes = maxPendingBytes
    }
}

extension BatchProcessorConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let defaults = BatchProcessorConfig()
        self.init(
            sendBatchSize: reader.int("send_batch_size", default: defaults.sendBatchSize, min: 0),
            sendBatchMaxSize: reader.int("send_batch_max_size", default: defaults.sendBatchMaxSize, min: 0),
            timeout: reader.duration("timeout", default: defaults.timeout),
            maxPendingItems: reader.int("max_pending_items", default: defaults.maxPendingItems, min: 1),
            maxPendingBytes: reader.int("max_pending_bytes", default: defaults.maxPendingBytes, min: 1)
        )
        metadataKeys = (reader.stringList("metadata_keys")?.strings ?? []).map { $0.lowercased() }
        metadataCardinalityLimit = reader.int("metadata_cardinality_limit", default: 1000, min: 1)
        if sendBatchMaxSize > 0, sendBatchMaxSize < sendBatchSize {
            reader.report(
                "send_batch_max_size",
                "must be 0 (unlimited) or at least send_batch_size (\(sendBatchSize)), got \(sendBatchMaxSize)")
        }
    }
}
