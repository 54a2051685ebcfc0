import ClientTLS
import HTTP2Transport
import NIOCore
import NIOPosix
import Testing

/// gRPC calls through `HTTP2ClientConnection` over TLS against NIOSSL and our nghttp2 server handler.
@Suite struct HTTP2ClientTLSTests {
    private func connect(
        _ server: TLSTestServer, host: String = "127.0.0.1", _ options: ClientTLS.Options
    ) async throws -> HTTP2ClientConnection {
        let tls = try ClientTLS(options, applicationProtocols: ["h2"])
        let port = server.port
        return try await HTTP2ClientConnection.connect(
            host: host, port: port, group: MultiThreadedEventLoopGroup.singleton,
            tls: { try tls.makeHandlers(host: host, port: port) })
    }

    private func call(_ connection: HTTP2ClientConnection, authority: String) async throws -> GRPCCallResult {
        try await connection.unaryCall(
            path: "/test.Echo/Echo", authority: authority, message: [])
    }

    /// The connection preface is written when the TCP connection opens, before the handshake: NIOSSL holds it
    /// until the handshake is done, so the first call works, with ALPN h2 and `:scheme` https.
    @Test func verifiedRoundTrip() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http2, identity: try .init(cert: certs.server.cert, key: certs.server.key))
        defer { Task { await server.close() } }

        let connection = try await connect(server, ClientTLS.Options(caFile: certs.ca))
        defer { Task { await connection.close() } }
        #expect(connection.scheme == "https")
        let authority = "127.0.0.1:\(server.port)"
        let first = try await call(connection, authority: authority)
        #expect(first.status == .ok)
        #expect(String(decoding: first.response, as: UTF8.self) == "https \(authority)")
        // Further calls share the connection and its one handshake.
        #expect(try await call(connection, authority: authority).status == .ok)
        #expect(server.state.handshakes == [TLSTestServer.Handshake(alpn: "h2", clientCertificate: nil)])
        #expect(server.state.requests.count == 2)
    }

    @Test func wrongCAFailsTheCallAndLaterCallsWithTheSameError() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http2, identity: try .init(cert: certs.server.cert, key: certs.server.key))
        defer { Task { await server.close() } }

        let connection = try await connect(server, ClientTLS.Options(caFile: certs.otherCA))
        let expected = "TLS handshake with 127.0.0.1:\(server.port) failed: certificate verify failed"
        do {
            _ = try await call(connection, authority: "127.0.0.1")
            Issue.record("expected a TLS failure")
        } catch {
            #expect("\(error)".hasPrefix(expected), "\(error)")
        }
        // The connection is closed; a request sent now is told why rather than just "connection closed".
        try await connection.channel.closeFuture.get()
        do {
            _ = try await call(connection, authority: "127.0.0.1")
            Issue.record("expected a TLS failure")
        } catch {
            #expect("\(error)".hasPrefix(expected), "\(error)")
        }
        #expect(server.state.requests.isEmpty)
    }

    @Test func aPlaintextServerIsATLSFailureWithAHint() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.startPlaintextHTTP2()
        defer { server.close(promise: nil) }
        let port = server.localAddress!.port!
        let tls = try ClientTLS(ClientTLS.Options(caFile: certs.ca), applicationProtocols: ["h2"])
        let connection = try await HTTP2ClientConnection.connect(
            host: "127.0.0.1", port: port, group: MultiThreadedEventLoopGroup.singleton,
            tls: { try tls.makeHandlers(host: "127.0.0.1", port: port) })
        do {
            _ = try await call(connection, authority: "127.0.0.1:\(port)")
            Issue.record("expected a TLS failure")
        } catch {
            #expect("\(error)".hasPrefix("TLS handshake with 127.0.0.1:\(port) failed: "), "\(error)")
            #expect("\(error)".contains("does not speak TLS"), "\(error)")
        }
    }

    @Test func mutualTLS() async throws {
        let certs = try TestCertificates.get()
        let server = try await TLSTestServer.start(
            .http2, identity: try .init(cert: certs.server.cert, key: certs.server.key), clientCA: certs.ca)
        defer { Task { await server.close() } }

        let connection = try await connect(
            server, host: "localhost",
            ClientTLS.Options(caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key))
        defer { Task { await connection.close() } }
        #expect(try await call(connection, authority: "localhost:\(server.port)").status == .ok)
        #expect(server.state.serverNames == ["localhost"])
        #expect(server.state.handshakes.first?.clientCertificate?.contains("common_name=test client") == true)
    }
}
