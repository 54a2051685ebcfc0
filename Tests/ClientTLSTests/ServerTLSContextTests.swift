import ClientTLS
import ComponentKit
import Foundation
import OTLPReceiver
import ServerTLS
import Testing

/// Building a listener's context: every file problem is an error naming the `tls` key and the file.
@Suite struct ServerTLSContextTests {
    private func error(_ options: ServerTLS.Options) -> String {
        do {
            _ = try ServerTLS(options, applicationProtocols: ["h2"])
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func buildsWithAndWithoutAClientCA() throws {
        let certs = try TestCertificates.get()
        let tls = try ServerTLS(
            ServerTLS.Options(certFile: certs.server.cert, keyFile: certs.server.key), applicationProtocols: ["h2"])
        #expect(tls.applicationProtocols == ["h2"])
        _ = try ServerTLS(
            ServerTLS.Options(
                certFile: certs.server.cert, keyFile: certs.server.key, clientCAFile: certs.ca, minVersion: .tls13),
            applicationProtocols: ["http/1.1"])
    }

    @Test func fileProblemsNameTheKeyAndTheFile() throws {
        let certs = try TestCertificates.get()
        #expect(
            error(ServerTLS.Options(certFile: "/nonexistent/server.pem", keyFile: certs.server.key))
                == "tls.cert_file: cannot open /nonexistent/server.pem: No such file or directory")
        #expect(
            error(ServerTLS.Options(certFile: certs.server.cert, keyFile: "/nonexistent/server.key"))
                == "tls.key_file: cannot open /nonexistent/server.key: No such file or directory")
        #expect(
            error(
                ServerTLS.Options(
                    certFile: certs.server.cert, keyFile: certs.server.key, clientCAFile: certs.server.key))
                == "tls.client_ca_file: \(certs.server.key) is not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)"
        )
        #expect(
            error(ServerTLS.Options(certFile: certs.server.key, keyFile: certs.server.key))
                == "tls.cert_file: \(certs.server.key) is not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)"
        )
    }

    @Test func aKeyOfAnotherCertificateIsRefused() throws {
        let certs = try TestCertificates.get()
        #expect(
            error(ServerTLS.Options(certFile: certs.server.cert, keyFile: certs.client.key))
                == "tls.key_file: \(certs.client.key) is not the private key of tls.cert_file \(certs.server.cert)")
    }
}

/// Token checks: scheme without regard to case, credential exactly, several credentials (htpasswd users).
@Suite struct RequestAuthenticatorTests {
    @Test func bearer() {
        let auth = RequestAuthenticator(name: "bearertokenauth", scheme: "Bearer", credentials: [Array("abc".utf8)])
        #expect(auth.accepts("Bearer abc"))
        #expect(auth.accepts("bearer abc"))
        #expect(!auth.accepts("Bearer abcd"))
        #expect(!auth.accepts("Bearer ab"))
        #expect(!auth.accepts("Bearer ABC"))
        #expect(!auth.accepts("Basic abc"))
        #expect(!auth.accepts("abc"))
        #expect(!auth.accepts(nil))
    }

    @Test func withoutAScheme() {
        let auth = RequestAuthenticator(name: "bearertokenauth", scheme: "", credentials: [Array("abc".utf8)])
        #expect(auth.accepts("abc"))
        #expect(!auth.accepts("Bearer abc"))
    }

    @Test func severalCredentials() {
        let auth = RequestAuthenticator(
            name: "basicauth", scheme: "Basic", credentials: [Array("YTpi".utf8), Array("Yzpk".utf8)])
        #expect(auth.accepts("Basic YTpi"))
        #expect(auth.accepts("Basic Yzpk"))
        #expect(!auth.accepts("Basic YTpk"))
    }
}
