internal import Yams

/// A YAML value after environment expansion: the shapes the decoders care about and nothing else.
///
/// Building this tree from Yams' `Node` is where `${env:...}` is expanded, so expansion only ever produces
/// scalar text and cannot inject YAML structure.
enum ConfigValue {
    /// A plain empty value, `~` or `null`: the key is present and means "use the defaults".
    case null
    /// Scalar text, typed later by whichever field reads it.
    case scalar(String)
    case sequence([ConfigValue])
    /// Entries in document order.
    case mapping([ConfigEntry])

    /// How a problem message names this value when it is not what a field expects.
    var summary: String {
        switch self {
        case .null: return "null"
        case .scalar(let text): return quoted(text)
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One key and value of a mapping.
struct ConfigEntry {
    let key: String
    let value: ConfigValue
}

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
