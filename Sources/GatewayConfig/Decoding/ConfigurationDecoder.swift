public import ComponentKit
internal import Yams

/// Decodes a whole document: YAML, expansion, each component section, then the service and its references.
struct ConfigurationDecoder {
    let diagnostics: Diagnostics
    let components: ComponentTable

    /// The configuration, or nil when the YAML itself could not be read; problems go to `diagnostics`
    /// either way, and a configuration with problems must not be used.
    func decode(yaml: String, expander: EnvironmentExpander) -> GatewayConfiguration? {
        if let problem = AliasGuard.check(yaml) {
            diagnostics.report(line: problem)
            return nil
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            diagnostics.report(line: Self.describe(error))
            return nil
        }
        let rootValue =
            node.map { ConfigValue(node: $0, at: .root, expander: expander, diagnostics: diagnostics) } ?? .null
        var context = DecodingContext(
            peeking: rootValue,
            extensionTypes: Dictionary(
                uniqueKeysWithValues: ExtensionCapability.allCases.map { ($0, components.extensionTypes(offering: $0)) }
            ))
        context.exporterFactories = components.exporters
        let root = MappingReader(rootValue, at: .root, diagnostics: diagnostics)

        var declared = DeclaredComponents()
        let receivers = decodeSection(
            "receivers", in: root, registry: components.receivers, context: context,
            declared: &declared.receivers)
        let processors = decodeSection(
            "processors", in: root, registry: components.processors, context: context,
            declared: &declared.processors)
        let exporters = decodeSection(
            "exporters", in: root, registry: components.exporters, context: context,
            declared: &declared.exporters)
        declared.exporterConfigs = exporters
        declared.receiverConfigs = receivers
        declared.processorConfigs = processors
        let (receiverIDs, exporterIDs) = (declared.receivers, declared.exporters)
        let connectors = decodeSection(
            "connectors", in: root, registry: components.connectors, context: context,
            declared: &declared.connectors
        ) { id, reader in
            // The Collector refuses these too: a pipeline's reference could mean either component.
            for (section, ids) in [("receivers", receiverIDs), ("exporters", exporterIDs)] where ids.contains(id) {
                reader.report(
                    "ambiguous ID: \(quoted(id.description)) is also defined in \(section); rename one of them")
            }
            if let signals = components.connectors[id.type]?.signals {
                context.checkConnectorUse(id, from: signals.from, to: signals.to, reader: reader)
            }
        }
        let extensions = decodeSection(
            "extensions", in: root, registry: components.extensions, context: context,
            declared: &declared.extensions)
        let service =
            root.section("service") { ServiceConfig(from: $0, declared: declared) }
            ?? ServiceConfig(
                from: MappingReader(.null, at: root.path("service"), diagnostics: diagnostics), declared: declared)
        root.finish()

        return GatewayConfiguration(
            receivers: receivers,
            processors: processors,
            exporters: exporters,
            connectors: connectors,
            extensions: extensions,
            service: service
        )
    }

    /// Decodes one section of components keyed by ID, recording every well-formed ID in `declared`;
    /// `check` sees each component of a known type after its config, to report at it what depends on other
    /// sections.
    private func decodeSection<Factory>(
        _ section: String,
        in root: MappingReader,
        registry: [String: Factory],
        context: DecodingContext,
        declared: inout Set<ComponentID>,
        check: (ComponentID, MappingReader) -> Void = { _, _ in }
    ) -> [ComponentID: any ComponentConfig] {
        var configs: [ComponentID: any ComponentConfig] = [:]
        root.section(section) { reader in
            for entry in reader.allEntries() {
                let (key, value) = (entry.key, entry.value)
                let id: ComponentID
                switch ComponentID.parse(key) {
                case .failure(let problem):
                    reader.report(key, problem.message)
                    continue
                case .success(let parsed):
                    id = parsed
                }
                declared.insert(id)
                guard let factory = registry[id.type] as? any ComponentFactory else {
                    reader.report(key, "unknown type \(quoted(id.type))")
                    continue
                }
                let componentReader = MappingReader(value, at: reader.path(key), diagnostics: diagnostics)
                configs[id] = factory.decode(componentReader, context: context)
                componentReader.finish()
                check(id, componentReader)
            }
        }
        return configs
    }

    /// One line for a YAML syntax error, without the multi-line snippet Yams adds.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? YamlError else { return "yaml: \(error)" }
        switch error {
        case .scanner(_, let problem, let mark, _),
            .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "yaml: line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map(quoted).joined(separator: ", ")
            return "yaml: line \(context.mark.line), column \(context.mark.column): duplicate key \(keys)"
        case .reader(let problem, _, _, _):
            return "yaml: \(problem)"
        default:
            return "yaml: \(error)"
        }
    }
}
