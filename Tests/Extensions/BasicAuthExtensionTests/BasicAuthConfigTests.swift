import BasicAuthExtension
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct BasicAuthConfigTests {
    private func basicAuth(_ body: String, _ environment: [String: String] = [:]) throws -> BasicAuthConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(extensions: "basicauth/mimir:\n" + body), environment: environment)
        guard let auth = config.extensions[ComponentID(type: "basicauth", name: "mimir")] as? BasicAuthConfig else {
            Issue.record("no basicauth extension")
            return BasicAuthConfig(username: "", password: "")
        }
        return auth
    }

    private func problemsWith(_ body: String, _ environment: [String: String] = [:]) -> [String] {
        problems(document(extensions: "basicauth:\n" + body), environment: environment)
    }

    @Test func readsCredentials() throws {
        #expect(
            try basicAuth("  client_auth:\n    username: gateway\n    password: s3cret:with:colons")
                == BasicAuthConfig(username: "gateway", password: "s3cret:with:colons"))
    }

    @Test func credentialsComeFromTheEnvironment() throws {
        #expect(
            try basicAuth(
                "  client_auth:\n    username: ${env:PRW_USER}\n    password: ${env:PRW_PASSWORD}",
                ["PRW_USER": "tenant-1", "PRW_PASSWORD": "p@ss $word"])
                == BasicAuthConfig(username: "tenant-1", password: "p@ss $word"))
        // An unset variable expands to nothing, which is caught rather than sent as an empty password.
        #expect(
            problemsWith("  client_auth:\n    username: u\n    password: ${env:PRW_PASSWORD}") == [
                "extensions.basicauth.client_auth.password: must not be empty (${env:PRW_PASSWORD} is not set)"
            ])
    }

    @Test func readsHTPasswdForReceivers() throws {
        let auth = try basicAuth(
            "  htpasswd:\n    file: /etc/otel/htpasswd\n    inline: |\n      alice:pw1\n      # a comment\n      bob:p:w"
        )
        #expect(
            auth.htpasswd
                == BasicAuthConfig.HTPasswd(file: "/etc/otel/htpasswd", inline: "alice:pw1\n# a comment\nbob:p:w\n"))
        #expect(!auth.hasClientAuth)
        #expect(!auth.description.contains("pw1"))
        #expect(
            HTPasswdLine.parse(auth.htpasswd?.inline ?? "").map { "\($0.user)=\($0.password)" } == [
                "alice=pw1", "bob=p:w",
            ])
    }

    @Test func reportsHTPasswdProblems() {
        #expect(problemsWith("  htpasswd:") == ["extensions.basicauth.htpasswd: needs file or inline"])
        #expect(
            problemsWith("  htpasswd:\n    inline: |\n      alice:$2y$05$abcdefghijklmnopqrstuv\n\n      nocolon")
                == [
                    "extensions.basicauth.htpasswd.inline: line 1: hashed passwords (bcrypt, MD5, SHA) are not supported; write the password in plain text",
                    "extensions.basicauth.htpasswd.inline: line 3: expected user:password",
                ])
    }

    @Test func reportsProblems() {
        #expect(
            problemsWith("") == [
                "extensions.basicauth.client_auth: required: client_auth.username and client_auth.password (for exporters), or htpasswd (for receivers)"
            ])
        #expect(
            problemsWith("  client_auth:") == [
                "extensions.basicauth.client_auth.username: required",
                "extensions.basicauth.client_auth.password: required",
            ])
        #expect(
            problemsWith(
                "  client_auth:\n    username: \"\"\n    password: [a]\n    realm: x\n  htpasswd:\n    inline: u:p\n    mode: x"
            )
                == [
                    "extensions.basicauth.client_auth.username: must not be empty",
                    "extensions.basicauth.client_auth.password: expected a string, got a list",
                    "extensions.basicauth.client_auth.realm: unknown key",
                    "extensions.basicauth.htpasswd.mode: unknown key",
                ])
        #expect(
            problemsWith("  client_auth:\n    username: a:b\n    password: p") == [
                #"extensions.basicauth.client_auth.username: must not contain ":" (HTTP Basic auth separates the password with it)"#
            ])
        #expect(
            problemsWith("  client_auth: u:p") == [#"extensions.basicauth.client_auth: expected a mapping, got "u:p""#])
    }

    @Test func descriptionHidesThePassword() {
        let auth = BasicAuthConfig(username: "gateway", password: "hunter2")
        #expect(!String(describing: auth).contains("hunter2"))
        #expect(!String(reflecting: auth).contains("hunter2"))
        #expect(String(describing: auth).contains("gateway"))
    }
}
