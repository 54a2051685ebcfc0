/// Where a value sits in the YAML document, rendered as the Collector does: keys joined with dots
/// (`receivers.otlp/2.protocols.grpc.endpoint`), list elements as `[index]`.
struct ConfigPath: CustomStringConvertible {
    private var rendered: String

    /// The document root.
    static let root = ConfigPath(rendered: "")

    private init(rendered: String) { self.rendered = rendered }

    func appending(_ key: String) -> ConfigPath {
        ConfigPath(rendered: rendered.isEmpty ? key : rendered + "." + key)
    }

    func appending(index: Int) -> ConfigPath {
        ConfigPath(rendered: rendered + "[\(index)]")
    }

    var description: String { rendered.isEmpty ? "(root)" : rendered }
}
