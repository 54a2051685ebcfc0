public import ComponentKit
internal import Gateway
public import GatewayConfig

extension GatewayConfiguration {
    /// Parses with every component type this gateway is built with, as `otlp-gateway` does.
    public static func parse(yaml: String, environment: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        try parse(yaml: yaml, environment: environment, components: Components.table)
    }

    /// Loads with every component type this gateway is built with, as `otlp-gateway` does.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> GatewayConfiguration {
        try load(path: path, environment: environment, components: Components.table)
    }
}

/// The problem lines `yaml` produces; empty when it is valid.
public func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try GatewayConfiguration.parse(yaml: yaml, environment: environment)
        return []
    } catch {
        return error.problems
    }
}

/// Builds a document from section bodies written at column 0; each body is indented under its section key.
/// The defaults make a valid document with one traces pipeline, `otlp` (gRPC) to `debug`.
public func document(
    receivers: String? = "otlp:\n  protocols:\n    grpc:",
    processors: String? = nil,
    exporters: String? = "debug:",
    connectors: String? = nil,
    extensions: String? = nil,
    service: String? = "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]"
) -> String {
    let sections: [(String, String?)] = [
        ("receivers", receivers), ("processors", processors), ("exporters", exporters),
        ("connectors", connectors), ("extensions", extensions), ("service", service),
    ]
    return sections.compactMap { key, body in
        body.map { body in
            key + ":\n"
                + body.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(
                    separator: "\n")
        }
    }.joined(separator: "\n") + "\n"
}

/// A document with a `debug` exporter and an exporter of `type` written with `body` under it (indented by the
/// caller), in a traces pipeline that sends to `debug` only, so problems come from the exporter's own section.
/// `extensions` is the extensions section's body; `serviceExtensions` the list in `service.extensions`.
public func exporterDocument(
    _ type: String, _ body: String, extensions: String? = nil, serviceExtensions: String? = nil
)
    -> String
{
    document(
        exporters: "debug:\n\(type):\n" + body, extensions: extensions,
        service: (serviceExtensions.map { "extensions: \($0)\n" } ?? "")
            + "pipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]")
}

/// Whether two sections hold the same IDs with equal configs (the configs are of different types, so `==` on the
/// dictionaries is not available).
public func equal(_ a: [ComponentID: any ComponentConfig], _ b: [ComponentID: any ComponentConfig]) -> Bool {
    a.count == b.count
        && a.allSatisfy { id, config in
            guard let other = b[id], let config = config as? any Equatable else { return false }
            return config.isEqual(to: other)
        }
}

extension Equatable {
    fileprivate func isEqual(to other: Any) -> Bool { (other as? Self) == self }
}
