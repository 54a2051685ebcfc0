import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:4317", "127.0.0.1", 4317),
        ("localhost:0", "localhost", 0),
        (":4317", "0.0.0.0", 4317),
        ("[::1]:4318", "::1", 4318),
        ("[::]:80", "::", 80),
        ("[fe80::1%eth0]:80", "fe80::1%eth0", 80),
        ("[::ffff:10.0.0.1]:9", "::ffff:10.0.0.1", 9),
        ("my-host.example_1:65535", "my-host.example_1", 65535),
        ("0.0.0.0:00080", "0.0.0.0", 80),
    ])
    func parses(endpoint: String, host: String, port: Int) throws {
        let parsed = try #require(parseHostPort(endpoint))
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: [
        "", ":", "nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "host:123456", "::1:4317", "[::1]",
        "[::1]4317", "[]:80", "[127.0.0.1]:80", "[::1:80", "host:http", "host:-1", "host:+80", " host:80",
        "host :80", "host: 80", "ho/st:80",
    ])
    func refuses(endpoint: String) {
        #expect(parseHostPort(endpoint) == nil)
    }
}
