public import ComponentKit

/// The `file_storage` extension, `extensions.file_storage[/name]`: a directory where exporters that name it in
/// `sending_queue.storage` keep their queued requests, so data accepted from clients survives a restart or a
/// crash of the gateway (the Collector's persistent queue).
public struct FileStorageConfig: Sendable, Equatable {
    /// `directory`: where the queues live, one subdirectory per exporter and signal. Default
    /// `/var/lib/otlp-gateway/file_storage`.
    public var directory: String
    /// `create_directory`: create `directory` (mode 0750) when missing instead of failing at start. Default
    /// false, as in the Collector.
    public var createDirectory: Bool
    /// `fsync`: flush every queued request to the disk before accepting it, surviving a power loss rather than
    /// only a crash of the process, at the cost of a disk flush per request. Default false.
    public var fsync: Bool
    /// `timeout`: accepted for Collector compatibility (its bbolt lock timeout); the queue files take no lock.
    public var timeout: Duration

    public init(
        directory: String = "/var/lib/otlp-gateway/file_storage", createDirectory: Bool = false, fsync: Bool = false,
        timeout: Duration = .seconds(1)
    ) {
        self.directory = directory
        self.createDirectory = createDirectory
        self.fsync = fsync
        self.timeout = timeout
    }
}

extension FileStorageConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let d = FileStorageConfig()
        self.init(
            directory: reader.string("directory", default: d.directory),
            createDirectory: reader.bool("create_directory", default: d.createDirectory),
            fsync: reader.bool("fsync", default: d.fsync),
            timeout: reader.duration("timeout", default: d.timeout))
        if !directory.hasPrefix("/") {
            reader.report("directory", "must be an absolute path, got \(directory)")
        }
        if reader.contains("compaction") {
            _ = reader.value("compaction")
            reader.report(
                "compaction",
                "not supported: queue files are deleted as soon as their request is delivered, so there is nothing to compact"
            )
        }
    }
}
