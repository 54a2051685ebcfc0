/// What a component may refer to outside its own section, read before the sections are decoded so that
/// problems with such references are reported at the component, in the usual section order.
///
/// Only well-formed IDs are collected, silently: malformed ones are reported where their sections are
/// decoded, and a component with a bad config still counts as defined (as in `DeclaredComponents`).
struct DecodingContext {
    /// The extension IDs written under `extensions`.
    var extensions: Set<ComponentID> = []
    /// The extension IDs listed in `service.extensions`, the ones the gateway starts.
    var serviceExtensions: Set<ComponentID> = []

    init() {}

    /// Collects the references from the document root without reporting anything.
    init(peeking root: ConfigValue) {
        guard case .mapping(let sections) = root else { return }
        if let extensionSection = sections.first(where: { $0.key == "extensions" }),
            case .mapping(let entries) = extensionSection.value
        {
            extensions = Set(entries.compactMap { ComponentID(parsing: $0.key) })
        }
        if let service = sections.first(where: { $0.key == "service" }),
            case .mapping(let serviceEntries) = service.value,
            let listed = serviceEntries.first(where: { $0.key == "extensions" }),
            case .sequence(let elements) = listed.value
        {
            serviceExtensions = Set(
                elements.compactMap { element in
                    guard case .scalar(let text) = element else { return nil }
                    return ComponentID(parsing: text)
                })
        }
    }
}
