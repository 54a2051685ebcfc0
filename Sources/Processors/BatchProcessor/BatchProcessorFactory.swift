public import ComponentKit
public import GatewayCore
internal import Logging
internal import OTLPWire

extension BatchProcessorConfig: ComponentConfig {}

/// `batch`: one processor per pipeline, flushed by size or timeout.
///
/// When its pipeline has an exporter with a persistent sending queue, the processor journals what it accepts in
/// the same storage (with the same `fsync`): data must be on disk before the client is told it was accepted, and
/// the processor would otherwise hold it only in memory until its timeout.
public struct BatchProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["batch"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        BatchProcessorConfig(from: reader)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<Data>, _ context: ProcessorContext
    ) throws -> any Consumer<Data> {
        guard let b = config as? BatchProcessorConfig else { throw ComponentBuildError("not a batch config") }
        let id = context.base.id
        if !b.metadataKeys.isEmpty {
            return try metadataBatcher(b, next: next, context)
        }
        let processor = BatchProcessor<Data>(
            name: id.description,
            settings: Self.settings(b), next: next, registry: context.base.registry, logger: context.base.logger,
            journal: try Self.journal(context, as: Data.self))
        context.base.addPart(.processors(of: Data.signal), "processors.\(id) (\(context.pipeline))") {
            await processor.run(clock: ContinuousClock())
        }
        return processor
    }

    static func settings<Data: TelemetryData>(_ b: BatchProcessorConfig) -> BatchProcessor<Data>.Settings {
        .init(
            sendBatchSize: b.sendBatchSize, sendBatchMaxSize: b.sendBatchMaxSize, timeout: b.timeout,
            maxPendingItems: b.maxPendingItems, maxPendingBytes: b.maxPendingBytes)
    }

    /// One batcher per combination of the `metadata_keys` values, each handing its batches on with those values.
    func metadataBatcher<Data: TelemetryData>(
        _ b: BatchProcessorConfig, next: any Consumer<Data>, _ context: ProcessorContext
    ) throws -> any Consumer<Data> {
        let id = context.base.id
        if context.persistentStorage != nil {
            throw ComponentBuildError(
                "processors.\(id).metadata_keys: batching per metadata with a persistent sending queue is not built "
                    + "(the journal is per processor); remove metadata_keys or the queue's storage")
        }
        let (registry, logger) = (context.base.registry, context.base.logger)
        let parts = DynamicParts()
        let batcher = MetadataBatcher<Data>(
            keys: b.metadataKeys, limit: b.metadataCardinalityLimit, parts: parts, stage: .processors(of: Data.signal)
        ) { metadata in
            BatchProcessor<Data>(
                name: id.description,
                settings: Self.settings(b),
                next: MetadataSetter(next: next, metadata: metadata), registry: registry, logger: logger,
                journal: nil)
        }
        context.base.addPart(
            .processors(of: Data.signal), "processors.\(id) (\(context.pipeline))", drain: { parts.finish() }
        ) {
            await parts.run()
        }
        return batcher
    }

    static func journal<Data: TelemetryData>(_ context: ProcessorContext, as: Data.Type) throws
        -> (BatchJournal, BatchProcessor<Data>.Codec)?
    {
        guard let storageID = context.persistentStorage else { return nil }
        let id = context.base.id
        let storage = try context.base.extensionAs(
            storageID, (any StorageExtension).self, key: "processors.\(id) (\(context.pipeline))")
        let journal: BatchJournal
        let directory: String
        do {
            directory = try storage.directory(for: "batch-\(id.description)-\(context.pipeline.description)")
            journal = try BatchJournal(directory: directory, fsync: storage.fsync)
        } catch {
            throw ComponentBuildError("processors.\(id) (\(context.pipeline)): \(error)")
        }
        context.base.logger.info(
            "batch processor journals what it accepts: its pipeline has a persistent sending queue",
            metadata: ["processor": "\(id)", "pipeline": "\(context.pipeline)", "directory": "\(directory)"])
        return (journal, codec(Data.self))
    }

    static func codec<Data: TelemetryData>(_: Data.Type) -> BatchProcessor<Data>.Codec {
        BatchProcessor<Data>.Codec(
            encode: { OTLPRequest.encode($0) },
            decode: { OTLPRequest.decode($0, as: Data.self) })
    }
}
