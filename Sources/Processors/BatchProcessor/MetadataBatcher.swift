public import ComponentKit
public import GatewayCore
internal import Synchronization

/// `batch` with `metadata_keys`: a batcher per distinct combination of those request-metadata values (a tenant),
/// so one tenant's data never shares a batch with another's, and each batch carries its tenant's values on to the
/// exporters (`headers_setter`). Beyond `metadata_cardinality_limit` combinations new ones are refused.
final class MetadataBatcher<Data: TelemetryData>: Consumer, Sendable {
    let keys: [String]
    let limit: Int
    let parts: DynamicParts
    let stage: StopStage
    let make: @Sendable (ClientMetadata) -> BatchProcessor<Data>
    private let batchers = Mutex<[ClientMetadata: BatchProcessor<Data>]>([:])

    init(
        keys: [String], limit: Int, parts: DynamicParts, stage: StopStage,
        make: @escaping @Sendable (ClientMetadata) -> BatchProcessor<Data>
    ) {
        self.keys = keys
        self.limit = limit
        self.parts = parts
        self.stage = stage
        self.make = make
    }

    func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let key = data.metadata.projected(onto: keys)
        let (batcher, created) = try batchers.withLock {
            (all) throws(PipelineError) -> (BatchProcessor<Data>, Bool) in
            if let existing = all[key] { return (existing, false) }
            guard all.count < limit else {
                throw PipelineError.permanent(
                    "too many distinct metadata combinations for batching (metadata_cardinality_limit \(limit))")
            }
            let made = make(key)
            all[key] = made
            return (made, true)
        }
        if created {
            parts.add(Part(stage: stage, name: "batch for \(key)") { await batcher.run(clock: ContinuousClock()) })
        }
        return try batcher.consume(data)
    }
}

/// Sets the metadata of what passes through: a tenant's batches leave its batcher with its values.
struct MetadataSetter<Data: TelemetryData>: Consumer {
    let next: any Consumer<Data>
    let metadata: ClientMetadata

    func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        var data = data
        data.metadata = metadata
        return try next.consume(data)
    }
}
