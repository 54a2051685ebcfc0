import ClientTLS
import Foundation
import Testing

/// Building the context: every file problem is an error naming the `tls` key and the file.
@Suite struct ClientTLSContextTests {
    private func error(_ options: ClientTLS.Options) -> String {
        do {
            _ = try ClientTLS(options, applicationProtocols: ["h2"])
            return "no error"
        } catch {
            return error.description
        }
    }

    private func file(_ name: String, _ contents: String) throws -> String {
        let certs = try TestCertificates.get()
        let path = certs.path(name)
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func buildsWithTheSystemRootsOrACAFile() throws {
        let certs = try TestCertificates.get()
        _ = try ClientTLS(ClientTLS.Options(), applicationProtocols: ["h2"])
        let tls = try ClientTLS(
            ClientTLS.Options(
                caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key, minVersion: .tls13),
            applicationProtocols: ["http/1.1"])
        #expect(tls.applicationProtocols == ["http/1.1"])
    }

    @Test func missingOrUnreadableFiles() throws {
        let certs = try TestCertificates.get()
        #expect(
            error(ClientTLS.Options(caFile: "/nonexistent/ca.pem"))
                == "tls.ca_file: cannot open /nonexistent/ca.pem: No such file or directory")
        #expect(
            error(ClientTLS.Options(caFile: certs.directory))
                == "tls.ca_file: cannot read \(certs.directory): Is a directory")
        #expect(
            error(ClientTLS.Options(caFile: certs.ca, certFile: certs.client.cert, keyFile: "/nonexistent/k.pem"))
                == "tls.key_file: cannot open /nonexistent/k.pem: No such file or directory")
        let empty = try file("empty.pem", "")
        #expect(error(ClientTLS.Options(caFile: empty)) == "tls.ca_file: \(empty) is empty")
    }

    @Test func filesThatAreNotPEM() throws {
        let certs = try TestCertificates.get()
        let text = try file("notes.txt", "not a certificate\n")
        #expect(
            error(ClientTLS.Options(caFile: text))
                == "tls.ca_file: \(text) is not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)")
        let broken = try file("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        #expect(
            error(ClientTLS.Options(caFile: broken)) == "tls.ca_file: \(broken) is not a valid PEM certificate file")
        // A key where the certificate belongs, and the other way round.
        #expect(
            error(ClientTLS.Options(certFile: certs.client.key, keyFile: certs.client.key))
                == "tls.cert_file: \(certs.client.key) is not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)"
        )
        #expect(
            error(ClientTLS.Options(certFile: certs.client.cert, keyFile: certs.client.cert))
                == "tls.key_file: \(certs.client.cert) is not a PEM private key file (no -----BEGIN ... PRIVATE KEY----- line)"
        )
        let brokenKey = try file("broken.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        #expect(
            error(ClientTLS.Options(certFile: certs.client.cert, keyFile: brokenKey))
                == "tls.key_file: \(brokenKey) is not a valid PEM private key file")
    }

    @Test func encryptedKeysAreRefusedWithoutPrompting() throws {
        let certs = try TestCertificates.get()
        let encrypted = certs.path("encrypted.key")
        try TestCertificates.run(
            "/usr/bin/openssl",
            ["pkey", "-in", certs.client.key, "-out", encrypted, "-aes256", "-passout", "pass:secret"])
        #expect(
            error(ClientTLS.Options(certFile: certs.client.cert, keyFile: encrypted))
                == "tls.key_file: \(encrypted) is encrypted, which is not supported; decrypt it (openssl pkey -in KEY -out PLAIN)"
        )
    }

    @Test func keyOfAnotherCertificate() throws {
        let certs = try TestCertificates.get()
        #expect(
            error(ClientTLS.Options(certFile: certs.client.cert, keyFile: certs.server.key))
                == "tls.key_file: \(certs.server.key) is not the private key of tls.cert_file \(certs.client.cert)")
    }

    /// NIOSSL refuses IP addresses in SNI, so none is sent for them; the name override wins over the host.
    @Test func serverNames() throws {
        let tls = try ClientTLS(ClientTLS.Options(), applicationProtocols: ["h2"])
        #expect(tls.serverName(forHost: "tempo.example.com") == "tempo.example.com")
        #expect(tls.serverName(forHost: "localhost") == "localhost")
        #expect(tls.serverName(forHost: "127.0.0.1") == nil)
        #expect(tls.serverName(forHost: "::1") == nil)
        #expect(tls.serverName(forHost: "[::1]") == nil)
        let override = try ClientTLS(
            ClientTLS.Options(serverNameOverride: "tempo.internal"), applicationProtocols: ["h2"])
        #expect(override.serverName(forHost: "10.0.0.1") == "tempo.internal")
        #expect(override.serverName(forHost: "tempo") == "tempo.internal")
    }
}
