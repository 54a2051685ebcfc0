public import ComponentKit
internal import FileIO
internal import GatewayCore

extension BasicAuthConfig: ComponentConfig {}

/// `basicauth`: HTTP Basic credentials that exporters send (`client_auth`) and that listeners accept
/// (`htpasswd`).
public struct BasicAuthExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["basicauth"] }

    public var capabilities: Set<ExtensionCapability> { [.clientAuth, .serverAuth] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        BasicAuthConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let basic = config as? BasicAuthConfig else { throw ComponentBuildError("not a basicauth config") }
        return BasicAuthExtension(id: context.id, config: basic)
    }
}

/// The running `basicauth`. The htpasswd file is read when a listener asks for it, at start.
struct BasicAuthExtension: ClientAuthenticator, ServerAuthenticator {
    let id: ComponentID
    let config: BasicAuthConfig

    func authorizationHeader() throws -> String {
        guard config.hasClientAuth else {
            throw ComponentBuildError(
                "extensions.\(id): has no client_auth, which an exporter needs (htpasswd is for receivers)")
        }
        return "Basic " + Base64.encode(Array("\(config.username):\(config.password)".utf8))
    }

    func requestAuthenticator() throws -> RequestAuthenticator {
        guard let htpasswd = config.htpasswd else {
            throw ComponentBuildError(
                "extensions.\(id): has no htpasswd, which a receiver needs (client_auth is for exporters)")
        }
        var users: [String: String] = [:]
        if let file = htpasswd.file {
            guard let text = WholeFile.text(file) else {
                throw ComponentBuildError("extensions.\(id).htpasswd.file: cannot read \(file)")
            }
            for (user, password) in HTPasswdLine.parse(text) {
                if HTPasswdLine.isHashed(Substring(password)) {
                    throw ComponentBuildError(
                        "extensions.\(id).htpasswd.file: \(file): user \(user) has a hashed password (bcrypt, MD5, SHA), which is not supported; write it in plain text"
                    )
                }
                users[user] = password
            }
        }
        // Inline entries win over the file's, as in the Collector.
        for (user, password) in HTPasswdLine.parse(htpasswd.inline ?? "") { users[user] = password }
        guard !users.isEmpty else { throw ComponentBuildError("extensions.\(id).htpasswd: no user:password lines") }
        let credentials = users.sorted { $0.key < $1.key }.map { user, password in
            Array(Base64.encode(Array("\(user):\(password)".utf8)).utf8)
        }
        return RequestAuthenticator(name: id.description, scheme: "Basic", credentials: credentials)
    }
}
