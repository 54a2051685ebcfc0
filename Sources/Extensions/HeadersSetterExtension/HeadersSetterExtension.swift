public import ComponentKit
public import GatewayCore

/// The `headers_setter` extension, `extensions.headers_setter[/name]`: headers an exporter sets on each request,
/// from a fixed `value` or from the request metadata a receiver kept (`from_context`, with `include_metadata`),
/// such as `X-Scope-OrgID` for Mimir, Loki and Tempo tenants. Exporters reference it as `auth.authenticator`.
public struct HeadersSetterConfig: ComponentConfig {
    public enum Action: String, Sendable, CaseIterable {
        /// Adds the header when the request does not have it.
        case insert
        /// Replaces the header when the request has it.
        case update
        /// Sets the header either way (the default).
        case upsert
        /// Removes the header.
        case delete
    }

    public struct Header: Sendable {
        /// `key`: the header name.
        public var key: String
        /// `value`: a fixed value.
        public var value: String?
        /// `from_context`: the request-metadata key (a header name the receiver kept) whose first value is used.
        public var fromContext: String?
        /// `default_value`: used when the metadata has no such key.
        public var defaultValue: String?
        public var action: Action
    }

    public var headers: [Header] = []

    init(from reader: MappingReader) {
        let list = reader.mappingList("headers", expected: "a header") ?? []
        if list.isEmpty { reader.report("headers", "required: at least one header") }
        for entry in list {
            defer { entry.finish() }
            let key = entry.string("key", default: "")
            if key.isEmpty { entry.report("key", "required: the header name") }
            let value = entry.scalar("value", expected: "a header value")
            let fromContext = entry.scalar("from_context", expected: "a metadata key")
            let defaultValue = entry.scalar("default_value", expected: "a header value")
            let actionText = entry.string("action", default: "upsert")
            let action = Action(rawValue: actionText.lowercased())
            if action == nil {
                entry.report(
                    "action", "expected one of insert, update, upsert, delete, got \(quoted(actionText))")
            }
            if entry.contains("from_attribute") {
                _ = entry.value("from_attribute")
                entry.report("from_attribute", "not built: headers come from request metadata (from_context) or value")
            }
            if action != .delete, (value == nil) == (fromContext == nil) {
                entry.report("exactly one of value and from_context is required")
            }
            headers.append(
                Header(
                    key: key, value: value, fromContext: fromContext, defaultValue: defaultValue,
                    action: action ?? .upsert))
        }
    }
}

/// `headers_setter`: offered to exporters as a client authenticator that sets headers per request.
public struct HeadersSetterExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["headers_setter"] }

    public var capabilities: Set<ExtensionCapability> { [.clientAuth] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        HeadersSetterConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let c = config as? HeadersSetterConfig else { throw ComponentBuildError("not a headers_setter config") }
        return HeadersSetter(headers: c.headers)
    }
}

/// Applies the configured headers, in order, to each request's headers.
public struct HeadersSetter: RequestHeadersSetter {
    let headers: [HeadersSetterConfig.Header]

    public init(headers: [HeadersSetterConfig.Header]) { self.headers = headers }

    public var usesMetadata: Bool { headers.contains { $0.fromContext != nil } }

    /// Not an `Authorization` value: exporters ask `apply` per request instead.
    public func authorizationHeader() throws -> String {
        throw ComponentBuildError("headers_setter sets headers per request; it has no fixed Authorization value")
    }

    public func apply(to request: inout [(String, String)], metadata: ClientMetadata) {
        for header in headers {
            let name = header.key.lowercased()
            let present = request.contains { $0.0.lowercased() == name }
            if header.action == .delete {
                request.removeAll { $0.0.lowercased() == name }
                continue
            }
            let value: String?
            if let key = header.fromContext {
                value = metadata[key].first ?? header.defaultValue
            } else {
                value = header.value
            }
            guard let value, !value.isEmpty else { continue }
            switch header.action {
            case .insert where present, .update where !present: continue
            default:
                request.removeAll { $0.0.lowercased() == name }
                request.append((header.key, value))
            }
        }
    }
}
