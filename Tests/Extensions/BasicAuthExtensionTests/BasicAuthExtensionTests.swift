import BasicAuthExtension
import ComponentKit
import Logging
import SelfTelemetry
import Testing

@Suite struct BasicAuthExtensionTests {
    static func start(_ config: BasicAuthConfig) throws -> any Extension {
        let graph = GraphBuilder(registry: TelemetryRegistry(), logger: Logger(label: "t"), health: HealthStatus())
        return try BasicAuthExtensionFactory().build(
            config, BuildContext(id: ComponentID(type: "basicauth", name: "m"), graph: graph))
    }

    @Test func clientCredentialsForExporters() throws {
        let running = try Self.start(BasicAuthConfig(username: "gw", password: "p:w"))
        // base64("gw:p:w")
        #expect(try (running as? any ClientAuthenticator)?.authorizationHeader() == "Basic Z3c6cDp3")
        #expect {
            try (running as? any ServerAuthenticator)?.requestAuthenticator()
        } throws: { error in
            "\(error)".contains("has no htpasswd, which a receiver needs")
        }
    }

    @Test func htpasswdForListeners() throws {
        let running = try Self.start(
            BasicAuthConfig(username: "", password: "", htpasswd: .init(inline: "alice:pw1\nbob:pw2\n")))
        let check = try #require(try (running as? any ServerAuthenticator)?.requestAuthenticator())
        #expect(check.accepts("Basic YWxpY2U6cHcx"))  // alice:pw1
        #expect(!check.accepts("Basic YWxpY2U6cHcy"))  // alice:pw2
        #expect {
            try (running as? any ClientAuthenticator)?.authorizationHeader()
        } throws: { error in
            "\(error)".contains("has no client_auth, which an exporter needs")
        }
    }
}
