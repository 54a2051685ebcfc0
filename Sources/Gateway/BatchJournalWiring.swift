internal import BatchProcessor
internal import GatewayConfig
internal import GatewayCore
internal import Logging
internal import OTLPExporter
internal import OTLPWire

/// Gives a batch processor a journal when its pipeline has an exporter with a persistent sending queue: then
/// data must be on disk before the client is told it was accepted, and the batch processor would otherwise hold
/// it only in memory until its timeout. The journal lives beside that queue, in the same `file_storage`
/// directory, with the same `fsync` setting.
enum BatchJournalWiring {
    static func journal<Data: TelemetryData>(
        for id: ComponentID, in pipelineID: PipelineID, _ pipeline: PipelineConfig, _ config: GatewayConfiguration,
        as: Data.Type, logger: Logger
    ) throws -> (BatchJournal, BatchProcessor<Data>.Codec)? {
        guard let storage = persistentStorage(of: pipeline, config) else { return nil }
        let name = "batch-\(id.description)-\(pipelineID.description)".map {
            $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_"
        }
        let directory = storage.directory + "/" + String(name)
        let journal: BatchJournal
        do {
            try FileQueue.ensureDirectory(storage.directory, create: storage.createDirectory)
            journal = try BatchJournal(directory: directory, fsync: storage.fsync)
        } catch {
            throw PipelineGraph.BuildError(description: "processors.\(id) (\(pipelineID)): \(error)")
        }
        logger.info(
            "batch processor journals what it accepts: its pipeline has a persistent sending queue",
            metadata: ["processor": "\(id)", "pipeline": "\(pipelineID)", "directory": "\(directory)"])
        return (journal, codec(Data.self))
    }

    /// The `file_storage` settings of the first exporter of `pipeline` whose sending queue is on disk.
    static func persistentStorage(of pipeline: PipelineConfig, _ config: GatewayConfiguration) -> FileStorageConfig? {
        for exporter in pipeline.exporters {
            let queue: SendingQueueConfig
            switch config.exporters[exporter] {
            case .otlp(let c)?: queue = c.sendingQueue
            case .otlpHTTP(let c)?: queue = c.sendingQueue
            default: continue
            }
            guard queue.enabled, let storageID = queue.storage,
                case .fileStorage(let storage)? = config.extensions[storageID]
            else { continue }
            return storage
        }
        return nil
    }

    static func codec<Data: TelemetryData>(_: Data.Type) -> BatchProcessor<Data>.Codec {
        BatchProcessor<Data>.Codec(
            encode: { data in
                switch data {
                case let t as Traces: return OTLPProtobuf.encode(t)
                case let m as Metrics: return OTLPProtobuf.encode(m)
                case let l as Logs: return OTLPProtobuf.encode(l)
                default: return []
                }
            },
            decode: { bytes in
                let arena = ProtobufArena()
                return bytes.withUnsafeBytes { raw -> Data? in
                    switch Data.signal {
                    case .traces: return (try? OTLPProtobuf.decodeTraces(raw, arena: arena)) as? Data
                    case .metrics: return (try? OTLPProtobuf.decodeMetrics(raw, arena: arena)) as? Data
                    case .logs: return (try? OTLPProtobuf.decodeLogs(raw, arena: arena)) as? Data
                    }
                }
            })
    }
}
