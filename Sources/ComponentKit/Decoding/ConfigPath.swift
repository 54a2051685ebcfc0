/// Where a value sits in the YAML document, rendered as the Collector does: keys joined with dots
/// (`receivers.otlp/2.protocols.grpc.endpoint`), list elements as `[index]`.
public struct ConfigPath: CustomStringConvertible, Sendable {
    private var rendered: String

    /// The document root.
    public static let root = ConfigPath(rendered: "")

    private init(rendered: String) { self.rendered = rendered }

    public func appending(_ key: String) -> ConfigPath {
        ConfigPath(rendered: rendered.isEmpty ? key : rendered + "." + key)
    }

    public func appending(index: Int) -> ConfigPath {
        ConfigPath(rendered: rendered + "[\(index)]")
    }

    public var description: String { rendered.isEmpty ? "(root)" : rendered }
}

extension Unicode.Scalar {
    /// `a`-`z` or `A`-`Z`: the letters of IDs, header names and environment variable names.
    public var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    /// `0`-`9`.
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
