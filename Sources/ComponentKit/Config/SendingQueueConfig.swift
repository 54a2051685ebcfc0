/// The queue between a pipeline and an exporter's senders: `exporters.<id>.sending_queue`, the Collector's
/// exporterhelper shape (`otlp`, `otlphttp`).
///
/// The queue is measured in the unit `sizer` names. With `storage` naming a `file_storage` extension it lives on
/// disk and survives restarts; otherwise in memory, where it is also bounded in bytes (`max_bytes`) whatever the
/// sizer. `batch`, `block_on_overflow` and `wait_for_result` are refused as unknown keys.
public struct SendingQueueConfig: Sendable, Equatable {
    /// What `queue_size` counts.
    public enum Sizer: String, Sendable, CaseIterable {
        case requests, items, bytes
    }

    /// `sizer`: `requests`, `items` or `bytes`. Default `bytes` when `queue_size` is not given either; with
    /// `queue_size` alone, `requests`, as in the Collector, so a Collector config means what it meant there.
    public var sizer: Sizer = .bytes
    /// `max_bytes` (not in the Collector): an in-memory queue's ceiling in encoded bytes when the sizer counts
    /// requests or items; 0 for none. Default 67108864 (64 MiB).
    public var maxBytes: Int = 64 << 20
    /// The default `queue_size` for each sizer: 64 MiB, 1000 requests, 100,000 items.
    public static func defaultSize(_ sizer: Sizer) -> Int {
        switch sizer {
        case .bytes: return 64 << 20
        case .requests: return 1000
        case .items: return 100_000
        }
    }

    /// `enabled`: queue requests and send them from `num_consumers` senders; false sends from the
    /// pipeline's own task, one request at a time. Default true.
    public var enabled: Bool
    /// `num_consumers`: requests sent at once, at least 1. Default 10.
    public var numConsumers: Int
    /// `queue_size`: the most the queue holds, in the sizer's unit, at least 1; when full, new data is refused
    /// back to the client as retryable and counted as failed to enqueue. Default 64 MiB (`defaultSize`).
    public var queueSize: Int
    /// `storage`: the ID of a `file_storage` extension (listed in `service.extensions`) that keeps the queue
    /// on disk; nil keeps it in memory. Default nil.
    public var storage: ComponentID?

    public init(
        enabled: Bool = true, numConsumers: Int = 10, queueSize: Int = 64 << 20, storage: ComponentID? = nil,
        sizer: Sizer = .bytes
    ) {
        self.sizer = sizer
        self.enabled = enabled
        self.numConsumers = numConsumers
        self.queueSize = queueSize
        self.storage = storage
    }
}

extension SendingQueueConfig {
    public init(from reader: MappingReader, context: DecodingContext) {
        let defaults = SendingQueueConfig()
        let sizeWritten = reader.contains("queue_size")
        let sizer = reader.choice("sizer", default: sizeWritten ? Sizer.requests : Sizer.bytes)
        self.init(
            enabled: reader.bool("enabled", default: defaults.enabled),
            numConsumers: reader.int("num_consumers", default: defaults.numConsumers, min: 1),
            queueSize: reader.int("queue_size", default: Self.defaultSize(sizer), min: 1),
            storage: Self.storage(reader, context: context),
            sizer: sizer
        )
        maxBytes = reader.int("max_bytes", default: defaults.maxBytes, min: 0)
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
            context.checkExtension(id, offers: .storage, role: "a storage extension", at: "storage", of: reader)
            return id
        }
    }
}
