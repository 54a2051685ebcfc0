/// The queue between a pipeline and an exporter's senders: `exporters.<id>.sending_queue`, the Collector's
/// exporterhelper shape (`otlp`, `otlphttp`).
///
/// Only the in-memory queue measured in requests is supported: `sizer`, `storage`, `batch`,
/// `block_on_overflow` and `wait_for_result` are refused as unknown keys.
public struct SendingQueueConfig: Sendable, Equatable {
    /// `enabled`: queue requests and send them from `num_consumers` senders; false sends from the
    /// pipeline's own task, one request at a time. Default true.
    public var enabled: Bool
    /// `num_consumers`: requests sent at once, at least 1. Default 10.
    public var numConsumers: Int
    /// `queue_size`: the most requests (batches, not items) waiting to be sent, at least 1; when full, new
    /// data is refused and counted as failed to enqueue. Default 1000.
    public var queueSize: Int

    public init(enabled: Bool = true, numConsumers: Int = 10, queueSize: Int = 1000) {
        self.enabled = enabled
        self.numConsumers = numConsumers
        self.queueSize = queueSize
    }
}

extension SendingQueueConfig: ConfigSection {
    init(from reader: MappingReader) {
        let defaults = SendingQueueConfig()
        self.init(
            enabled: reader.bool("enabled", default: defaults.enabled),
            numConsumers: reader.int("num_consumers", default: defaults.numConsumers, min: 1),
            queueSize: reader.int("queue_size", default: defaults.queueSize, min: 1)
        )
    }
}
