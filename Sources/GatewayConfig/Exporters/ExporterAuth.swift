/// The extension types an exporter may name in `auth.authenticator`.
let authenticatorExtensionTypes: Set<String> = ["basicauth", "bearertokenauth"]

extension MappingReader {
    /// `auth: {authenticator: <extension id>}`: nil when `auth` is absent. The extension must be defined,
    /// be an authenticator, and, as the Collector requires, be listed in `service.extensions`.
    func authenticator(context: DecodingContext) -> ComponentID? {
        let id = section("auth") { auth -> ComponentID? in
            let key = "authenticator"
            let text: String
            switch auth.value(key) {
            case nil, .null?:
                auth.report(key, "required: the ID of a basicauth or bearertokenauth extension")
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
            if !context.extensions.contains(id) {
                auth.report(key, "\(quoted(id.description)) is not defined in extensions")
            } else if !authenticatorExtensionTypes.contains(id.type) {
                auth.report(
                    key,
                    "\(quoted(id.description)) is not an authenticator; expected a basicauth or bearertokenauth extension"
                )
            } else if !context.serviceExtensions.contains(id) {
                auth.report(key, "extension \(quoted(id.description)) must also be listed in service.extensions")
            }
            return id
        }
        return id ?? nil
    }
}
