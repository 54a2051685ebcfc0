import ComponentKit
import ConfigTestSupport
import GatewayConfig
import OTLPExporter
import Testing

/// The `tls` section shared by the exporters, read under an `otlp` exporter whose `host:port` endpoint uses TLS.
@Suite struct ClientTLSConfigTests {
    private func tls(_ body: String) throws -> ClientTLSConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(exporters: "debug:\notlp:\n  endpoint: tempo:4317\n  tls:\n" + body), environment: [:])
        guard let exporter = config.exporters[ComponentID(type: "otlp")] as? OTLPExporterConfig else {
            Issue.record("no otlp exporter")
            return ClientTLSConfig()
        }
        return exporter.tls
    }

    private func problemsWith(_ body: String) -> [String] {
        problems(document(exporters: "debug:\notlp:\n  endpoint: tempo:4317\n  tls:\n" + body))
    }

    @Test func readsEveryKey() throws {
        #expect(
            try tls(
                """
                    ca_file: /etc/otel/ca.pem
                    cert_file: /etc/otel/client.pem
                    key_file: /etc/otel/client-key.pem
                    insecure_skip_verify: true
                    server_name_override: tempo.internal
                    min_version: "1.3"
                    max_version: "1.3"
                """)
                == ClientTLSConfig(
                    insecure: false, insecureSkipVerify: true, caFile: "/etc/otel/ca.pem",
                    certFile: "/etc/otel/client.pem", keyFile: "/etc/otel/client-key.pem",
                    serverNameOverride: "tempo.internal", minVersion: .tls13, maxVersion: .tls13))
        #expect(try tls("    min_version: 1.2\n    max_version: 1.3") == ClientTLSConfig(maxVersion: .tls13))
    }

    @Test func emptyValuesAreUnset() throws {
        #expect(
            try tls(
                "    ca_file: \"\"\n    cert_file: \"\"\n    key_file: \"\"\n    server_name_override: \"\"\n    min_version: \"\"\n    max_version: \"\""
            ) == ClientTLSConfig())
    }

    @Test func certAndKeyComeTogether() {
        #expect(
            problemsWith("    cert_file: /c.pem") == [
                "exporters.otlp.tls.cert_file: needs key_file (the private key of the client certificate)"
            ])
        #expect(
            problemsWith("    key_file: /k.pem") == [
                "exporters.otlp.tls.key_file: needs cert_file (the client certificate of this key)"
            ])
    }

    @Test func versions() {
        #expect(
            problemsWith("    min_version: \"1.1\"\n    max_version: \"1.0\"") == [
                "exporters.otlp.tls.min_version: TLS 1.1 is not supported (obsolete); use 1.2 or 1.3",
                "exporters.otlp.tls.max_version: TLS 1.0 is not supported (obsolete); use 1.2 or 1.3",
            ])
        #expect(
            problemsWith("    min_version: \"1.4\"\n    max_version: [1.3]") == [
                #"exporters.otlp.tls.min_version: expected 1.2 or 1.3, got "1.4""#,
                "exporters.otlp.tls.max_version: expected 1.2 or 1.3, got a list",
            ])
        #expect(
            problemsWith("    min_version: \"1.3\"\n    max_version: \"1.2\"") == [
                "exporters.otlp.tls.max_version: must be at least min_version (1.3), got 1.2"
            ])
    }

    @Test func serverNameOverrideIsADNSName() {
        for text in ["10.0.0.1", "tempo example", "tempo:4317"] {
            #expect(
                problemsWith("    server_name_override: \"\(text)\"") == [
                    #"exporters.otlp.tls.server_name_override: expected a DNS name like tempo.example.com, got "\#(text)""#
                ], "\(text)")
        }
    }

    @Test func collectorKeysNotImplementedAreNamed() {
        #expect(
            problemsWith(
                """
                    ca_pem: "-----BEGIN CERTIFICATE-----"
                    cert_pem: x
                    key_pem: x
                    include_system_ca_certs_pool: true
                    cipher_suites: [TLS_AES_128_GCM_SHA256]
                    reload_interval: 1h
                    bogus: 1
                """) == [
                    "exporters.otlp.tls.ca_pem: not supported yet; write the PEM to a file and use ca_file",
                    "exporters.otlp.tls.cert_pem: not supported yet; write the PEM to a file and use cert_file",
                    "exporters.otlp.tls.key_pem: not supported yet; write the PEM to a file and use key_file",
                    "exporters.otlp.tls.include_system_ca_certs_pool: not supported yet",
                    "exporters.otlp.tls.cipher_suites: not supported yet",
                    "exporters.otlp.tls.reload_interval: not supported yet",
                    "exporters.otlp.tls.bogus: unknown key",
                ])
    }
}
