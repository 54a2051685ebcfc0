internal import ComponentKit
internal import Yams

extension ConfigValue {
    /// Converts a composed YAML node, expanding environment references in scalar values.
    init(node: Node, at path: ConfigPath, expander: EnvironmentExpander, diagnostics: Diagnostics) {
        switch node {
        case .scalar(let scalar):
            // Only plain scalars resolve to null; a quoted "" stays an empty string.
            if node.null != nil {
                self = .null
            } else if let text = expander.expand(scalar.string, at: path, diagnostics: diagnostics) {
                self = .scalar(text)
            } else {
                // Already reported; reading as null keeps the field's default instead of adding a second problem.
                self = .null
            }
        case .sequence(let sequence):
            self = .sequence(
                sequence.enumerated().map { index, element in
                    ConfigValue(
                        node: element, at: path.appending(index: index), expander: expander, diagnostics: diagnostics)
                })
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    diagnostics.report(path, "mapping keys must be strings")
                    continue
                }
                let childPath = path.appending(key.string)
                entries.append(
                    ConfigEntry(
                        key: key.string,
                        value: ConfigValue(node: valueNode, at: childPath, expander: expander, diagnostics: diagnostics)
                    ))
            }
            self = .mapping(entries)
        case .alias:
            // Yams resolves aliases while composing; a bare alias node cannot come out of `compose`.
            diagnostics.report(path, "unresolved YAML alias")
            self = .null
        }
    }
}
