/// A YAML value after environment expansion: the shapes the decoders care about and nothing else.
///
/// Building this tree from Yams' `Node` is where `${env:...}` is expanded, so expansion only ever produces
/// scalar text and cannot inject YAML structure.
public enum ConfigValue: Sendable {
    /// A plain empty value, `~` or `null`: the key is present and means "use the defaults".
    case null
    /// Scalar text, typed later by whichever field reads it.
    case scalar(String)
    case sequence([ConfigValue])
    /// Entries in document order.
    case mapping([ConfigEntry])

    /// How a problem message names this value when it is not what a field expects.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .scalar(let text): return quoted(text)
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One key and value of a mapping.
public struct ConfigEntry: Sendable {
    public let key: String
    public let value: ConfigValue

    public init(key: String, value: ConfigValue) {
        self.key = key
        self.value = value
    }
}

extension ConfigValue {
    /// This mapping with `key` set to `value`: replaced where present, else added first. Other values are
    /// returned unchanged.
    public func setting(_ key: String, to value: ConfigValue) -> ConfigValue {
        switch self {
        case .mapping(let entries):
            if entries.contains(where: { $0.key == key }) {
                return .mapping(entries.map { $0.key == key ? ConfigEntry(key: key, value: value) : $0 })
            }
            return .mapping([ConfigEntry(key: key, value: value)] + entries)
        case .null:
            return .mapping([ConfigEntry(key: key, value: value)])
        case .scalar, .sequence:
            return self
        }
    }
}
