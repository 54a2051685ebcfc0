/// What a component may refer to outside its own section and where pipelines use it, read before the
/// sections are decoded so that problems with such references are reported at the component, in the usual
/// section order.
///
/// Only well-formed IDs are collected, silently: malformed ones are reported where their sections are
/// decoded, and a component with a bad config still counts as defined (as in `DeclaredComponents`).
public struct DecodingContext: Sendable {
    /// The extension IDs written under `extensions`.
    public var extensions: Set<ComponentID> = []
    /// The extension IDs listed in `service.extensions`, the ones the gateway starts.
    public var serviceExtensions: Set<ComponentID> = []
    /// The pipelines under `service.pipelines` with a valid ID, in document order, and the IDs in their
    /// `receivers` and `exporters` lists (where connectors appear).
    public var pipelines: [PipelineReferences] = []
    /// The extension types that offer each capability, from the assembly's table: where a config names an
    /// extension, its type must offer what the config needs.
    public var extensionTypes: [ExtensionCapability: [String]] = [:]
    /// The exporter factories of the assembly's table by type: a component that sends through another exporter
    /// type (`loadbalancing` through `otlp`) decodes that part of its section with the other type's factory.
    public var exporterFactories: [String: any ExporterFactory] = [:]

    /// One pipeline's receivers and exporters, as written.
    public struct PipelineReferences: Sendable {
        public let id: PipelineID
        public let receivers: [ComponentID]
        public let exporters: [ComponentID]
    }

    public init() {}

    /// Collects the references from the document root without reporting anything.
    public init(peeking root: ConfigValue, extensionTypes: [ExtensionCapability: [String]]) {
        self.extensionTypes = extensionTypes
        guard case .mapping(let sections) = root else { return }
        if let extensionSection = sections.first(where: { $0.key == "extensions" }),
            case .mapping(let entries) = extensionSection.value
        {
            extensions = Set(entries.compactMap { ComponentID(parsing: $0.key) })
        }
        guard let service = sections.first(where: { $0.key == "service" }),
            case .mapping(let serviceEntries) = service.value
        else { return }
        serviceExtensions = Set(Self.ids(serviceEntries, "extensions"))
        if let pipelineSection = serviceEntries.first(where: { $0.key == "pipelines" }),
            case .mapping(let pipelineEntries) = pipelineSection.value
        {
            pipelines = pipelineEntries.compactMap { entry in
                guard let id = PipelineID(parsing: entry.key) else { return nil }
                guard case .mapping(let lists) = entry.value else {
                    return PipelineReferences(id: id, receivers: [], exporters: [])
                }
                return PipelineReferences(
                    id: id, receivers: Self.ids(lists, "receivers"), exporters: Self.ids(lists, "exporters"))
            }
        }
    }

    /// The valid component IDs in the list under `key`; none when it is absent or not a list.
    private static func ids(_ entries: [ConfigEntry], _ key: String) -> [ComponentID] {
        guard let listed = entries.first(where: { $0.key == key }), case .sequence(let elements) = listed.value
        else { return [] }
        return elements.compactMap { element in
            guard case .scalar(let text) = element else { return nil }
            return ComponentID(parsing: text)
        }
    }
}

extension DecodingContext {
    /// Checks a reference to extension `id` at `key` of `reader`: it must be defined, offer `capability`, and, as
    /// the Collector requires, be listed in `service.extensions`. `role` names what it must be ("an
    /// authenticator"), for the message.
    public func checkExtension(
        _ id: ComponentID, offers capability: ExtensionCapability, role: String, at key: String,
        of reader: MappingReader
    ) {
        let types = extensionTypes[capability] ?? []
        if !extensions.contains(id) {
            reader.report(key, "\(quoted(id.description)) is not defined in extensions")
        } else if !types.contains(id.type) {
            reader.report(key, "\(quoted(id.description)) is not \(role); expected \(Self.article(types)) extension")
        } else if !serviceExtensions.contains(id) {
            reader.report(key, "extension \(quoted(id.description)) must also be listed in service.extensions")
        }
    }

    /// "a basicauth or bearertokenauth", "a file_storage".
    public static func article(_ types: [String]) -> String {
        types.isEmpty ? "a matching" : "a " + types.joined(separator: " or ")
    }
}
