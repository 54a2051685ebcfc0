import BearerTokenAuthExtension
import ComponentKit
import Foundation
import Logging
import SelfTelemetry
import Testing

@Suite struct BearerTokenAuthExtensionTests {
    static func start(_ config: BearerTokenAuthConfig) throws -> any Extension {
        let graph = GraphBuilder(registry: TelemetryRegistry(), logger: Logger(label: "t"), health: HealthStatus())
        return try BearerTokenAuthExtensionFactory().build(
            config, BuildContext(id: ComponentID(type: "bearertokenauth"), graph: graph))
    }

    @Test func sendsAndChecksTheInlineToken() throws {
        let running = try Self.start(BearerTokenAuthConfig(token: "t0k"))
        #expect(try (running as? any ClientAuthenticator)?.authorizationHeader() == "Bearer t0k")
        let check = try #require(try (running as? any ServerAuthenticator)?.requestAuthenticator())
        #expect(check.accepts("Bearer t0k"))
        #expect(check.accepts("bearer t0k"))
        #expect(!check.accepts("Bearer t0K"))
        #expect(!check.accepts(nil))
    }

    @Test func readsTheFileOnceAtStartTrimmed() throws {
        let path = NSTemporaryDirectory() + "token-\(UInt64.random(in: 0...UInt64.max))"
        try "  from-file\n".write(toFile: path, atomically: true, encoding: .utf8)
        let running = try Self.start(BearerTokenAuthConfig(scheme: "", filename: path))
        try FileManager.default.removeItem(atPath: path)
        #expect(try (running as? any ClientAuthenticator)?.authorizationHeader() == "from-file")
        #expect {
            _ = try Self.start(BearerTokenAuthConfig(filename: path))
        } throws: { error in
            "\(error)" == "extensions.bearertokenauth.filename: cannot read \(path)"
        }
    }

    @Test func anEmptyTokenCannotGuardAListener() throws {
        let running = try Self.start(BearerTokenAuthConfig(token: ""))
        #expect(throws: ComponentBuildError.self) { try (running as? any ServerAuthenticator)?.requestAuthenticator() }
    }
}
