/// A YAML value after environment expansion: the shapes the decoders care about and nothing else.
///
/// Building this tree from Yams' `Node` is where `${env:...}` is expanded, so expansion only ever produces
/// scalar text and cannot inject YAML structure.
public enum ConfigValue {
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
public struct ConfigEntry {
    public let key: String
    public let value: ConfigValue

    public init(key: String, value: ConfigValue) {
        self.key = key
        self.value = value
    }
}
