public import ComponentKit
internal import GatewayCore

/// One pipeline: `service.pipelines.<signal>[/name]`.
public struct PipelineConfig: Sendable, Equatable {
    /// `receivers`: IDs of the receivers (or connectors) feeding the pipeline, in order; at least one.
    public var receivers: [ComponentID]
    /// `processors`: IDs of the processors data passes through, in order; may be empty or absent.
    public var processors: [ComponentID]
    /// `exporters`: IDs of the exporters (or connectors) the pipeline sends to, in order; at least one.
    public var exporters: [ComponentID]

    public init(receivers: [ComponentID], processors: [ComponentID] = [], exporters: [ComponentID]) {
        self.receivers = receivers
        self.processors = processors
        self.exporters = exporters
    }
}

extension PipelineConfig {
    /// Reads a pipeline of `signal`. Connectors may appear among receivers and exporters; whether they
    /// connect the right signals is checked at the connector (`DecodingContext.checkConnectorUse`).
    init(from reader: MappingReader, signal: Signal, declared: DeclaredComponents) {
        let receivers = Self.references(
            "receivers", in: reader, section: "receivers", defined: declared.receivers.union(declared.connectors))
        let processors = Self.references("processors", in: reader, section: "processors", defined: declared.processors)
        let exporters = Self.references(
            "exporters", in: reader, section: "exporters", defined: declared.exporters.union(declared.connectors))
        self.init(receivers: receivers.ids, processors: processors.ids, exporters: exporters.ids)
        for id in receivers.ids {
            if let problem = declared.receiverConfigs[id]?.signalProblem(signal) {
                reader.report("receivers", "\(quoted(id.description)) \(problem)")
            }
        }
        for id in processors.ids {
            if let problem = declared.processorConfigs[id]?.signalProblem(signal) {
                reader.report("processors", "\(quoted(id.description)) \(problem)")
            }
        }
        for id in exporters.ids {
            if let problem = declared.exporterConfigs[id]?.signalProblem(signal) {
                reader.report("exporters", "\(quoted(id.description)) \(problem)")
            }
        }
        if receivers.isEmpty {
            reader.report("must have at least one receiver")
        }
        if exporters.isEmpty {
            reader.report("must have at least one exporter")
        }
    }

    /// Reads a list of component IDs, reporting malformed, undefined and repeated ones at the list's path.
    /// `isEmpty` is true only when nothing was written (absent, null or `[]`), so a list with bad elements
    /// or of the wrong shape is not also reported as empty.
    static func references(
        _ key: String,
        in reader: MappingReader,
        section: String,
        defined: Set<ComponentID>
    ) -> (ids: [ComponentID], isEmpty: Bool) {
        guard let list = reader.stringList(key) else { return ([], false) }
        var ids: [ComponentID] = []
        for text in list.strings {
            switch ComponentID.parse(text) {
            case .failure(let problem):
                reader.report(key, problem.message)
            case .success(let id):
                if !defined.contains(id) {
                    reader.report(key, "\(quoted(id.description)) is not defined in \(section)")
                } else if ids.contains(id) {
                    reader.report(key, "\(quoted(id.description)) is listed more than once")
                } else {
                    ids.append(id)
                }
            }
        }
        return (ids, list.written == 0)
    }
}
