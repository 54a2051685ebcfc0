import ComponentKit
import ConfigTestSupport
import GatewayConfig
import HealthCheckExtension
import OTLPReceiver
import PrometheusExporter
import Testing

/// `tls` and `auth` on the `otlp` receiver's listeners.
@Suite struct OTLPReceiverSecurityConfigTests {
    private let extensions = "bearertokenauth/in:\n  token: s3cret\nbasicauth/users:\n  htpasswd:\n    inline: alice:pw"
    private let service =
        "extensions: [bearertokenauth/in, basicauth/users]\npipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]"

    private func receiver(_ body: String) throws -> OTLPReceiverConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(receivers: body, extensions: extensions, service: service), environment: [:])
        guard let otlp = config.receivers[ComponentID(type: "otlp")] as? OTLPReceiverConfig else {
            Issue.record("no otlp receiver")
            return OTLPReceiverConfig()
        }
        return otlp
    }

    private func problemsWith(_ body: String) -> [String] {
        problems(document(receivers: body, extensions: extensions, service: service))
    }

    @Test func readsTLSAndAuthOnBothProtocols() throws {
        let otlp = try receiver(
            """
            otlp:
              protocols:
                grpc:
                  tls:
                    cert_file: /certs/server.pem
                    key_file: /certs/server.key
                    client_ca_file: /certs/ca.pem
                    min_version: "1.3"
                  auth:
                    authenticator: bearertokenauth/in
                http:
                  endpoint: 0.0.0.0:4318
                  tls:
                    cert_file: /certs/server.pem
                    key_file: /certs/server.key
                    max_version: "1.2"
                  auth:
                    authenticator: basicauth/users
            """)
        #expect(
            otlp.grpc?.tls
                == ServerTLSConfig(
                    certFile: "/certs/server.pem", keyFile: "/certs/server.key", clientCAFile: "/certs/ca.pem",
                    minVersion: .tls13))
        #expect(otlp.grpc?.authenticator == ComponentID(type: "bearertokenauth", name: "in"))
        #expect(
            otlp.http?.tls
                == ServerTLSConfig(certFile: "/certs/server.pem", keyFile: "/certs/server.key", maxVersion: .tls12))
        #expect(otlp.http?.authenticator == ComponentID(type: "basicauth", name: "users"))
    }

    @Test func withoutTLSOrAuthBothAreNil() throws {
        let otlp = try receiver("otlp:\n  protocols:\n    grpc:\n    http:")
        #expect(otlp.grpc?.tls == nil && otlp.grpc?.authenticator == nil)
        #expect(otlp.http?.tls == nil && otlp.http?.authenticator == nil)
    }

    @Test func reportsTLSProblems() {
        #expect(
            problemsWith("otlp:\n  protocols:\n    grpc:\n      tls:") == [
                "receivers.otlp.protocols.grpc.tls.cert_file: required: a PEM file (a TLS server needs a certificate and its key)",
                "receivers.otlp.protocols.grpc.tls.key_file: required: a PEM file (a TLS server needs a certificate and its key)",
            ])
        #expect(
            problemsWith(
                """
                otlp:
                  protocols:
                    http:
                      tls:
                        cert_file: ""
                        key_file: k.pem
                        ca_file: ca.pem
                        min_version: "1.3"
                        max_version: "1.2"
                        reload_interval: 1h
                        cipher_suites: [x]
                """) == [
                    "receivers.otlp.protocols.http.tls.cert_file: must not be empty",
                    "receivers.otlp.protocols.http.tls.max_version: must be at least min_version (1.3), got 1.2",
                    "receivers.otlp.protocols.http.tls.ca_file: not used by a server; to require client certificates use client_ca_file",
                    "receivers.otlp.protocols.http.tls.reload_interval: not supported yet",
                    "receivers.otlp.protocols.http.tls.cipher_suites: not supported yet",
                ])
        #expect(
            problemsWith(
                "otlp:\n  protocols:\n    grpc:\n      tls:\n        cert_file: c\n        key_file: k\n        min_version: \"1.1\""
            )
                == [
                    "receivers.otlp.protocols.grpc.tls.min_version: TLS 1.1 is not supported (obsolete); use 1.2 or 1.3"
                ])
    }

    @Test func reportsAuthProblems() {
        #expect(
            problemsWith("otlp:\n  protocols:\n    grpc:\n      auth:\n        authenticator: oidc") == [
                #"receivers.otlp.protocols.grpc.auth.authenticator: "oidc" is not defined in extensions"#
            ])
        #expect(
            problemsWith("otlp:\n  protocols:\n    http:\n      auth:") == [
                "receivers.otlp.protocols.http.auth.authenticator: required: the ID of a basicauth or bearertokenauth extension"
            ])
        // Defined, but not started by the service.
        #expect(
            problems(
                document(
                    receivers: "otlp:\n  protocols:\n    grpc:\n      auth:\n        authenticator: bearertokenauth/in",
                    extensions: extensions))
                == [
                    #"receivers.otlp.protocols.grpc.auth.authenticator: extension "bearertokenauth/in" must also be listed in service.extensions"#
                ])
    }
}

/// `tls` on the gateway's own endpoints: the `prometheus` exporter and `health_check`.
@Suite struct EndpointTLSConfigTests {
    @Test func prometheusAndHealthCheckReadTLS() throws {
        let config = try GatewayConfiguration.parse(
            yaml: document(
                exporters: "prometheus:\n  tls:\n    cert_file: s.pem\n    key_file: s.key\n    client_ca_file: ca.pem",
                extensions: "health_check:\n  tls:\n    cert_file: s.pem\n    key_file: s.key",
                service:
                    "extensions: [health_check]\npipelines:\n  metrics:\n    receivers: [otlp]\n    exporters: [prometheus]"
            ),
            environment: [:])
        guard let prometheus = config.exporters[ComponentID(type: "prometheus")] as? PrometheusExporterConfig,
            let health = config.extensions[ComponentID(type: "health_check")] as? HealthCheckConfig
        else {
            Issue.record("missing components")
            return
        }
        #expect(prometheus.tls == ServerTLSConfig(certFile: "s.pem", keyFile: "s.key", clientCAFile: "ca.pem"))
        #expect(health.tls == ServerTLSConfig(certFile: "s.pem", keyFile: "s.key"))
    }

    @Test func problemsNameTheEndpoint() {
        #expect(
            problems(
                document(
                    extensions: "health_check:\n  tls:\n    cert_file: s.pem",
                    service:
                        "extensions: [health_check]\npipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [debug]"
                ))
                == [
                    "extensions.health_check.tls.key_file: required: a PEM file (a TLS server needs a certificate and its key)"
                ])
    }
}
