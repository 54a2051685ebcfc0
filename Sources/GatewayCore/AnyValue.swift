/// An OTLP `AnyValue`: the value of an attribute or a log body.
public enum AnyValue: Sendable, Hashable {
    case empty
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([AnyValue])
    case keyValueList([Attribute])
}

extension AnyValue {
    /// The value rendered as Prometheus and the debug exporter show it: strings bare, others as JSON-like text.
    public var displayString: String {
        switch self {
        case .empty: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bytes(let b): return Hex.encode(b)
        case .array(let values):
            return "[" + values.map { $0.quotedDisplay }.joined(separator: ",") + "]"
        case .keyValueList(let kvs):
            return "{" + kvs.map { "\"\($0.key)\":\($0.value.quotedDisplay)" }.joined(separator: ",") + "}"
        }
    }

    private var quotedDisplay: String {
        if case .string(let s) = self { return "\"\(s)\"" }
        return displayString
    }
}
