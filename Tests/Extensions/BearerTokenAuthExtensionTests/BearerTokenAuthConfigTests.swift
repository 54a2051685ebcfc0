import BearerTokenAuthExtension
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct BearerTokenAuthConfigTests {
    private func bearer(_ body: String, _ environment: [String: String] = [:]) throws -> BearerTokenAuthConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(extensions: "bearertokenauth:\n" + body), environment: environment)
        guard let auth = config.extensions[ComponentID(type: "bearertokenauth")] as? BearerTokenAuthConfig else {
            Issue.record("no bearertokenauth extension")
            return BearerTokenAuthConfig()
        }
        return auth
    }

    private func problemsWith(_ body: String, _ environment: [String: String] = [:]) -> [String] {
        problems(document(extensions: "bearertokenauth/x:\n" + body), environment: environment)
    }

    @Test func defaults() throws {
        let auth = BearerTokenAuthConfig()
        #expect(auth.token == nil)
        #expect(auth.scheme == "Bearer")
        #expect(auth.filename == nil)
        #expect(try bearer("  token: abc") == BearerTokenAuthConfig(token: "abc"))
    }

    @Test func readsTokenOrFile() throws {
        #expect(
            try bearer("  token: ${env:TOKEN}\n  scheme: Token", ["TOKEN": "eyJhbGciOi.x-y_z="])
                == BearerTokenAuthConfig(token: "eyJhbGciOi.x-y_z=", scheme: "Token"))
        #expect(
            try bearer("  filename: /var/run/secrets/token\n  scheme: \"\"")
                == BearerTokenAuthConfig(token: nil, scheme: "", filename: "/var/run/secrets/token"))
    }

    @Test func reportsProblems() {
        #expect(problemsWith("") == ["extensions.bearertokenauth/x: needs token or filename"])
        #expect(problemsWith("  token:\n  filename:") == ["extensions.bearertokenauth/x: needs token or filename"])
        #expect(
            problemsWith("  token: a\n  filename: /t") == [
                "extensions.bearertokenauth/x.filename: cannot be combined with token; write only one of them"
            ])
        #expect(
            problemsWith("  token: ${env:TOKEN}") == [
                "extensions.bearertokenauth/x.token: must not be empty (${env:TOKEN} is not set)"
            ])
        #expect(
            problemsWith("  token: ${env:TOKEN}", ["TOKEN": "abc\n"]) == [
                "extensions.bearertokenauth/x.token: must not contain control characters such as line breaks"
            ])
        #expect(
            problemsWith("  token: {a: 1}\n  scheme: Bear er\n  filename: \"\"\n  header: X-Auth\n  tokens: [a]") == [
                "extensions.bearertokenauth/x.token: expected a string, got a mapping",
                #"extensions.bearertokenauth/x.scheme: expected a single word like Bearer, got "Bear er""#,
                "extensions.bearertokenauth/x.filename: must not be empty",
                "extensions.bearertokenauth/x.header: unknown key",
                "extensions.bearertokenauth/x.tokens: unknown key",
            ])
    }

    @Test func descriptionHidesTheToken() {
        let auth = BearerTokenAuthConfig(token: "hunter2")
        #expect(!String(describing: auth).contains("hunter2"))
        #expect(!String(reflecting: auth).contains("hunter2"))
        #expect(String(describing: auth).contains("Bearer"))
    }
}
