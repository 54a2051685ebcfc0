public import ComponentKit
public import GatewayCore

/// `batch` with `metadata_keys`: a batcher per distinct combination of those request-metadata values (a tenant),
/// so one tenant's data never shares a batch with another's, and each batch carries its tenant's values on to the
/// exporters (`headers_setter`). Beyond `metadata_cardinality_limit` combinations new ones are refused.
final class MetadataBatcher<Data: TelemetryData>: Consumer, Sendable {
    let keys: [String]
    let stage: StopStage
    let make: @Sendable (ClientMetadata) -> BatchProcessor<Data>
    private let batchers: KeyedParts<ClientMetadata, BatchProcessor<Data>>

    init(
        keys: [String], limit: Int, parts: DynamicParts, stage: StopStage,
        make: @escaping @Sendable (ClientMetadata) -> BatchProcessor<Data>
    ) {
        self.keys = keys
        self.stage = stage
        self.make = make
        batchers = KeyedParts(
            limit: limit,
            refusal: "too many distinct metadata combinations for batching (metadata_cardinality_limit \(limit))",
            parts: parts)
    }

    func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let key = data.metadata.projected(onto: keys)
        let batcher = try batchers.instance(for: key) {
            let made = make(key)
            return (made, Part(stage: stage, name: "batch for \(key)") { await made.run(clock: ContinuousClock()) })
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
