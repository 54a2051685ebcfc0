import ClientTLS
import HTTP1Transport
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// TLS round trips through `HTTP1Client` against a NIOSSL server with certificates made by `openssl`.
@Suite struct HTTP1ClientTLSTests {
    private func post(
        _ server: TLSTestServer, host: String = "127.0.0.1", _ options: ClientTLS.Options
    ) async throws -> HTTP1Client.Response {
        let tls = try ClientTLS(options, applicationProtocols: ["http/1.1"])
        let port = server.port
        let client = try await HTTP1Client.connect(
            host: host, port: port, group: MultiThreadedEventLoopGroup.singleton,
            tls: { try tls.makeHandlers(host: host, port: port) })
        defer { Task { await client.close() } }
        return try await client.post(
            path: "/v1/traces", host: "\(host):\(port)", headers: [], body: Array("x".utf8), timeout: .seconds(10))
    }

    /// The error a failed request throws, described.
    private func failure(
        _ server: TLSTestServer, host: String = "127.0.0.1", _ options: ClientTLS.Options
    ) async throws -> String {
        do {
            let response = try await post(server, host: host, options)
            Issue.record("expected a TLS failure, got HTTP \(response.status)")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func verifiedAgainstTheCAWithTheIPAddressInTheCertificate() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.server.cert, key: certs.server.key))
        defer { Task { await server.close() } }

        let response = try await post(server, ClientTLS.Options(caFile: certs.ca))
        #expect(response.status == 200)
        #expect(response.body == Array("ok".utf8))
        // No SNI for an IP address; the certificate's IP entry was checked against the address connected to.
        #expect(server.state.serverNames == [nil])
        #expect(server.state.handshakes == [TLSTestServer.Handshake(alpn: "http/1.1", clientCertificate: nil)])
        #expect(
            server.state.requests == [TLSTestServer.Request(authority: "127.0.0.1:\(server.port)", path: "/v1/traces")])
    }

    @Test func verifiedByNameWithSNI() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.server.cert, key: certs.server.key))
        defer { Task { await server.close() } }

        #expect(try await post(server, host: "localhost", ClientTLS.Options(caFile: certs.ca)).status == 200)
        #expect(server.state.serverNames == ["localhost"])
    }

    @Test func wrongCAFailsAsATLSHandshakeError() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.server.cert, key: certs.server.key))
        defer { Task { await server.close() } }

        let error = try await failure(server, ClientTLS.Options(caFile: certs.otherCA))
        #expect(
            error.hasPrefix("TLS handshake with 127.0.0.1:\(server.port) failed: certificate verify failed"), "\(error)"
        )
        #expect(server.state.requests.isEmpty)
    }

    @Test func insecureSkipVerifyAcceptsAnUntrustedCertificate() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.namedServer.cert, key: certs.namedServer.key))
        defer { Task { await server.close() } }

        // Wrong CA and a name that does not match: both ignored.
        let options = ClientTLS.Options(caFile: certs.otherCA, insecureSkipVerify: true)
        #expect(try await post(server, options).status == 200)
    }

    @Test func serverNameOverrideIsSentAndVerified() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.namedServer.cert, key: certs.namedServer.key))
        defer { Task { await server.close() } }

        // The certificate names only gateway.test, not 127.0.0.1.
        let noName = try await failure(server, ClientTLS.Options(caFile: certs.ca))
        #expect(
            noName.contains(
                "TLS handshake with 127.0.0.1:\(server.port) failed: the server's certificate is not valid for 127.0.0.1"
            ),
            "\(noName)")
        #expect(
            try await post(server, ClientTLS.Options(caFile: certs.ca, serverNameOverride: "gateway.test")).status
                == 200)
        let mismatch = try await failure(server, ClientTLS.Options(caFile: certs.ca, serverNameOverride: "other.test"))
        #expect(mismatch.contains("the server's certificate is not valid for other.test"), "\(mismatch)")
        #expect(server.state.serverNames == [nil, "gateway.test", "other.test"])
    }

    /// NIOSSL accepts a certificate when any entry matches: the name verified (here the override) or, for an IP
    /// entry, the address connected to. So an override does not make a certificate for that IP fail (Go's
    /// crypto/tls, which the Collector uses, would check only the override's name).
    @Test func anIPEntryForTheAddressConnectedToSatisfiesEvenWithAnOverride() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.server.cert, key: certs.server.key))
        defer { Task { await server.close() } }

        #expect(
            try await post(server, ClientTLS.Options(caFile: certs.ca, serverNameOverride: "other.test")).status == 200)
        #expect(server.state.serverNames == ["other.test"])
    }

    @Test func mutualTLS() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.server.cert, key: certs.server.key), clientCA: certs.ca)
        defer { Task { await server.close() } }

        let withClient = ClientTLS.Options(caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key)
        #expect(try await post(server, withClient).status == 200)
        #expect(server.state.handshakes.first?.clientCertificate?.contains("common_name=test client") == true)

        // Without a certificate, or with one from another CA, the server refuses; with TLS 1.3 the client learns it
        // from the server's alert after its own side of the handshake is done.
        let without = try await failure(server, ClientTLS.Options(caFile: certs.ca))
        #expect(without.hasPrefix("TLS "), "\(without)")
        #expect(without.contains("certificate required"), "\(without)")
        let stranger = try await failure(
            server, ClientTLS.Options(caFile: certs.ca, certFile: certs.stranger.cert, keyFile: certs.stranger.key))
        #expect(stranger.hasPrefix("TLS "), "\(stranger)")
        #expect(stranger.contains("unknown ca"), "\(stranger)")
        #expect(server.state.requests.count == 1)
    }

    @Test func versionsOutsideTheServersRangeFail() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http1, identity: try .init(cert: certs.server.cert, key: certs.server.key), maxVersion: .tlsv12)
        defer { Task { await server.close() } }

        #expect(try await post(server, ClientTLS.Options(caFile: certs.ca, maxVersion: .tls12)).status == 200)
        let error = try await failure(server, ClientTLS.Options(caFile: certs.ca, minVersion: .tls13))
        #expect(error.hasPrefix("TLS handshake with 127.0.0.1:\(server.port) failed: "), "\(error)")
        #expect(error.contains("protocol version"), "\(error)")
    }
}
