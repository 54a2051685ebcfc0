/// The extension types an exporter may name in `auth.authenticator`.
public let authenticatorExtensionTypes: Set<String> = ["basicauth", "bearertokenauth"]

extension MappingReader {
    /// `auth: {authenticator: <extension id>}`: nil when `auth` is absent. The extension must be defined,
    /// be an authenticator, and, as the Collector requires, be listed in `service.extensions`.
    public func authenticator(context: DecodingContext, capability: ExtensionCapability) -> ComponentID? {
        let id = section("auth") { auth -> ComponentID? in
            let key = "authenticator"
            let text: String
            switch auth.value(key) {
            case nil, .null?:
                let types = DecodingContext.article(context.extensionTypes[capability] ?? [])
                auth.report(key, "required: the ID of \(types) extension")
                return nil
            case .scalar(let scalar)?:
                text = scalar
            case let other?:
                auth.report(key, "expected an extension ID, got \(other.summary)")
                return nil
            }
            let id: ComponentID
            switch ComponentID.parse(text) {
            case .failure(let problem):
                auth.report(key, problem.message)
                return nil
            case .success(let parsed):
                id = parsed
            }
            context.checkExtension(id, offers: capability, role: "an authenticator", at: key, of: auth)
            return id
        }
        return id ?? nil
    }
}
