/// The queue between a pipeline and an exporter's senders: `exporters.<id>.sending_queue`, the Collector's
/// exporterhelper shape (`otlp`, `otlphttp`).
///
/// The queue is measured in requests. With `storage` naming a `file_storage` extension it lives on disk and
/// survives restarts; otherwise in memory. `sizer`, `batch`, `block_on_overflow` and `wait_for_result` are
/// refused as unknown keys.
public struct SendingQueueConfig: Sendable, Equatable {
    /// `enabled`: queue requests and send them from `num_consumers` senders; false sends from the
    /// pipeline's own task, one request at a time. Default true.
    public var enabled: Bool
    /// `num_consumers`: requests sent at once, at least 1. Default 10.
    public var numConsumers: Int
    /// `queue_size`: the most requests (batches, not items) waiting to be sent, at least 1; when full, new
    /// data is refused and counted as failed to enqueue. Default 1000.
    public var queueSize: Int
    /// `storage`: the ID of a `file_storage` extension (listed in `service.extensions`) that keeps the queue
    /// on disk; nil keeps it in memory. Default nil.
    public var storage: ComponentID?

    public init(enabled: Bool = true, numConsumers: Int = 10, queueSize: Int = 1000, storage: ComponentID? = nil) {
        self.enabled = enabled
        self.numConsumers = numConsumers
        self.queueSize = queueSize
        self.storage = storage
    }
}

extension SendingQueueConfig {
    init(from reader: MappingReader, context: DecodingContext) {
        let defaults = SendingQueueConfig()
        self.init(
            enabled: reader.bool("enabled", default: defaults.enabled),
            numConsumers: reader.int("num_consumers", default: defaults.numConsumers, min: 1),
            queueSize: reader.int("queue_size", default: defaults.queueSize, min: 1),
            storage: Self.storage(reader, context: context)
        )
        if storage != nil && !enabled {
            reader.report("storage", "needs the queue: enabled is false")
        }
    }

    /// `storage: <file_storage extension ID>`, which must be defined and, as the Collector requires, listed
    /// in `service.extensions`.
    private static func storage(_ reader: MappingReader, context: DecodingContext) -> ComponentID? {
        guard let text = reader.scalar("storage", expected: "the ID of a file_storage extension") else { return nil }
        switch ComponentID.parse(text) {
        case .failure(let problem):
            reader.report("storage", problem.message)
            return nil
        case .success(let id):
            if !context.extensions.contains(id) {
                reader.report("storage", "\(quoted(id.description)) is not defined in extensions")
            } else if id.type != "file_storage" {
                reader.report("storage", "\(quoted(id.description)) is not a file_storage extension")
            } else if !context.serviceExtensions.contains(id) {
                reader.report(
                    "storage", "extension \(quoted(id.description)) must also be listed in service.extensions")
            }
            return id
        }
    }
}
