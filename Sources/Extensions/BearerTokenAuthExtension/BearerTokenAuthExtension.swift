public import ComponentKit
internal import FileIO

extension BearerTokenAuthConfig: ComponentConfig {}

/// `bearertokenauth`: a token that exporters send and that listeners require.
public struct BearerTokenAuthExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["bearertokenauth"] }

    public var capabilities: Set<ExtensionCapability> { [.clientAuth, .serverAuth] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        BearerTokenAuthConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let bearer = config as? BearerTokenAuthConfig else {
            throw ComponentBuildError("not a bearertokenauth config")
        }
        var token = bearer.token ?? ""
        // Read once at start: a secret mounted as a file that is missing fails the start, not a request.
        if let file = bearer.filename, !file.isEmpty {
            guard let text = WholeFile.text(file) else {
                throw ComponentBuildError("extensions.\(context.id).filename: cannot read \(file)")
            }
            token = String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        }
        return BearerTokenAuthExtension(id: context.id, scheme: bearer.scheme, token: token)
    }
}

/// The running `bearertokenauth`: the token, read once.
struct BearerTokenAuthExtension: ClientAuthenticator, ServerAuthenticator {
    let id: ComponentID
    let scheme: String
    let token: String

    func authorizationHeader() throws -> String { scheme.isEmpty ? token : "\(scheme) \(token)" }

    func requestAuthenticator() throws -> RequestAuthenticator {
        guard !token.isEmpty else { throw ComponentBuildError("extensions.\(id): the token is empty") }
        return RequestAuthenticator(name: id.description, scheme: scheme, credentials: [Array(token.utf8)])
    }
}
