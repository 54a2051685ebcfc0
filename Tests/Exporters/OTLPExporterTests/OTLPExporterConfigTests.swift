import ComponentKit
import ConfigTestSupport
import GatewayConfig
import OTLPExporter
import Testing

@Suite struct OTLPExporterConfigTests {
    private static let otlp = ComponentID(type: "otlp")

    /// The config of `otlp` written with `body` under it (indented by the caller).
    private func exporter(
        _ body: String, type: String = "otlp", extensions: String? = nil, serviceExtensions: String? = nil,
        environment: [String: String] = [:]
    ) throws -> OTLPExporterConfig {
        let config = try GatewayConfiguration.parse(
            yaml: exporterDocument(type, body, extensions: extensions, serviceExtensions: serviceExtensions),
            environment: environment)
        guard let exporter = config.exporters[ComponentID(type: type)] as? OTLPExporterConfig else {
            Issue.record("no otlp exporter")
            return OTLPExporterConfig(endpoint: "unused:1")
        }
        return exporter
    }

    /// Problem lines for `otlp` with `body`, plus an endpoint unless `endpoint` is nil.
    private func problemsWith(
        _ body: String, endpoint: String? = "http://tempo:4317", extensions: String? = nil,
        serviceExtensions: String? = nil, environment: [String: String] = [:]
    ) -> [String] {
        let endpointLine = endpoint.map { "  endpoint: \($0)\n" } ?? ""
        return problems(
            exporterDocument("otlp", endpointLine + body, extensions: extensions, serviceExtensions: serviceExtensions),
            environment: environment)
    }

    @Test func defaults() throws {
        let config = OTLPExporterConfig(endpoint: "tempo:4317")
        #expect(config.endpoint == "tempo:4317")
        #expect(config.host == "tempo")
        #expect(config.port == 4317)
        #expect(config.tls == ClientTLSConfig(insecure: false, insecureSkipVerify: false))
        #expect(config.tls.caFile == nil && config.tls.certFile == nil && config.tls.keyFile == nil)
        #expect(config.tls.serverNameOverride == nil)
        #expect(config.tls.minVersion == .tls12 && config.tls.maxVersion == nil)
        #expect(config.usesTLS)
        #expect(config.headers.isEmpty)
        #expect(config.compression == .gzip)
        #expect(config.timeout == .seconds(5))
        #expect(config.sendingQueue == SendingQueueConfig(enabled: true, numConsumers: 10, queueSize: 64 << 20))
        #expect(
            config.retryOnFailure
                == RetryOnFailureConfig(
                    enabled: true, initialInterval: .seconds(5), maxInterval: .seconds(30),
                    maxElapsedTime: .seconds(300), multiplier: 1.5))
        #expect(config.authenticator == nil)
        #expect(
            try exporter("  endpoint: tempo:4317\n  tls:\n    insecure: true")
                == OTLPExporterConfig(endpoint: "tempo:4317", tls: ClientTLSConfig(insecure: true)))
        #expect(try exporter("  endpoint: http://tempo:4317") == OTLPExporterConfig(endpoint: "http://tempo:4317"))
    }

    @Test func sendingQueueDefaults() {
        let queue = SendingQueueConfig()
        #expect(queue.enabled)
        #expect(queue.numConsumers == 10)
        #expect(queue.sizer == .bytes)
        #expect(queue.queueSize == 64 << 20)
        #expect(queue.maxBytes == 64 << 20)
    }

    @Test func sizerFollowsTheCollectorWhenOnlyQueueSizeIsWritten() throws {
        let counted = try exporter("  endpoint: tempo:4317\n  sending_queue:\n    queue_size: 500")
        #expect(counted.sendingQueue.sizer == .requests)
        #expect(counted.sendingQueue.queueSize == 500)
        let items = try exporter("  endpoint: tempo:4317\n  sending_queue:\n    sizer: items")
        #expect(items.sendingQueue.sizer == .items)
        #expect(items.sendingQueue.queueSize == 100_000)
        let bytes = try exporter("  endpoint: tempo:4317\n  sending_queue:\n    sizer: bytes\n    queue_size: 1048576")
        #expect(bytes.sendingQueue.queueSize == 1_048_576)
        #expect(
            problems(
                document(
                    exporters: "debug:\notlp:\n  endpoint: tempo:4317\n  sending_queue:\n    sizer: megabytes"))
                == [#"exporters.otlp.sending_queue.sizer: expected one of requests, items, bytes, got "megabytes""#])
    }

    @Test func otlpGRPCIsAnAlias() throws {
        let config = try exporter("  endpoint: http://tempo:4317", type: "otlp_grpc")
        #expect(config == OTLPExporterConfig(endpoint: "http://tempo:4317"))
        #expect(
            problems(document(exporters: "debug:\notlp_grpc/a:\n  endpoint: tempo:4317\n  tls:\n    insecure: true"))
                == [])
    }

    @Test(arguments: [
        ("http://tempo:4317", "tempo", 4317),
        ("HTTP://Tempo.example:4317/", "Tempo.example", 4317),
        ("dns:///tempo.monitoring.svc:4317", "tempo.monitoring.svc", 4317),
        ("http://10.0.0.1:1", "10.0.0.1", 1),
        ("http://[::1]:4317", "::1", 4317),
        ("http://my_host-1:65535", "my_host-1", 65535),
    ])
    func parsesEndpoint(text: String, host: String, port: Int) throws {
        let config = try exporter("  endpoint: \"\(text)\"\n  tls:\n    insecure: true")
        #expect(config.endpoint == text)
        #expect(config.host == host)
        #expect(config.port == port)
    }

    /// As the Collector: TLS unless `tls.insecure` is true or the endpoint is written `http://`; `https://` is TLS.
    @Test func tlsUnlessInsecureOrHTTP() throws {
        #expect(try exporter("  endpoint: http://tempo:4317").tls == ClientTLSConfig())
        #expect(try exporter("  endpoint: http://tempo:4317").usesTLS == false)
        #expect(try exporter("  endpoint: http://tempo:4317\n  tls:\n    insecure: false").usesTLS == false)
        #expect(try exporter("  endpoint: tempo:4317").usesTLS)
        #expect(try exporter("  endpoint: tempo:4317\n  tls:").usesTLS)
        #expect(try exporter("  endpoint: dns:///tempo:4317\n  tls:\n    insecure: false").usesTLS)
        #expect(try exporter("  endpoint: tempo:4317\n  tls: {insecure: true}").tls == ClientTLSConfig(insecure: true))
        #expect(try exporter("  endpoint: tempo:4317\n  tls: {insecure: true}").usesTLS == false)
        #expect(try exporter("  endpoint: dns:///tempo:4317\n  tls:\n    insecure: true").usesTLS == false)
        #expect(try exporter("  endpoint: https://tempo.example.com:443").usesTLS)
        #expect(try exporter("  endpoint: HTTPS://tempo:4317/").usesTLS)
        #expect(try exporter("  endpoint: https://tempo:4317").host == "tempo")
        #expect(problemsWith("  tls:\n    insecure_skip_verify: true", endpoint: "tempo:4317") == [])
        // A malformed value is reported once, where it is written.
        #expect(
            problemsWith("  tls:\n    insecure: maybe", endpoint: "tempo:4317") == [
                #"exporters.otlp.tls.insecure: expected true or false, got "maybe""#
            ])
    }

    @Test func tlsSettingsThatContradictTheEndpoint() {
        #expect(
            problemsWith("  tls:\n    insecure: true", endpoint: "HTTPS://tempo:4317") == [
                "exporters.otlp.tls.insecure: cannot be true with an https:// endpoint, which means TLS; remove one of them"
            ])
        #expect(
            problemsWith(
                "  tls:\n    ca_file: /etc/ca.pem\n    cert_file: c.pem\n    key_file: k.pem",
                endpoint: "http://tempo:4317")
                == ["ca_file", "cert_file", "key_file"].map {
                    "exporters.otlp.tls.\($0): cannot be used with an http:// endpoint, which means plaintext; write the endpoint as host:port or https://host:port for TLS"
                })
        // The Collector would use TLS here despite insecure: true; it is refused rather than guessed.
        #expect(
            problemsWith("  tls:\n    ca_file: /etc/ca.pem\n    insecure: true", endpoint: "tempo:4317") == [
                "exporters.otlp.tls.ca_file: cannot be used with insecure: true, which means plaintext; remove one of them"
            ])
        // Empty paths are unset, as in the Collector.
        #expect(problemsWith("  tls:\n    ca_file: \"\"\n    insecure: true", endpoint: "tempo:4317") == [])
    }

    @Test func endpointIsRequired() {
        let expected = ["exporters.otlp.endpoint: required: host:port of the OTLP/gRPC receiver, e.g. tempo:4317"]
        #expect(problemsWith("", endpoint: nil) == expected)
        #expect(problemsWith("  endpoint:\n", endpoint: nil) == expected)
        #expect(
            problemsWith("  endpoint: [a]\n", endpoint: nil) == [
                "exporters.otlp.endpoint: expected host:port like tempo:4317, got a list"
            ])
    }

    @Test func endpointProblems() {
        func line(_ text: String, _ suffix: String = "") -> String {
            #"exporters.otlp.endpoint: expected host:port like tempo:4317, got "\#(text)""# + suffix
        }
        #expect(
            problemsWith("", endpoint: "unix:///run/otlp.sock") == [
                line("unix:///run/otlp.sock", #" (unsupported scheme "unix")"#)
            ])
        for text in [
            "tempo", ":4317", "tempo:0", "tempo:65536", "tempo:x", "http://tempo", "http://tempo:4317/v1/traces",
            "dns://8.8.8.8/tempo:4317", "http://:4317", "tempo:4317/", "1http://tempo:4317", "::1:4317",
        ] {
            #expect(problemsWith("", endpoint: "\"\(text)\"") == [line(text)], "\(text)")
        }
    }

    @Test func readsEveryKey() throws {
        let config = try exporter(
            """
              endpoint: tempo.monitoring:4317
              tls:
                insecure: true
                insecure_skip_verify: true
              headers:
                X-Scope-OrgID: tenant-a
                x-trace-bin: AAEC
              compression: none
              timeout: 10s
              sending_queue:
                enabled: false
                num_consumers: 2
                queue_size: 50
              retry_on_failure:
                enabled: false
                initial_interval: 1s
                max_interval: 2s
                max_elapsed_time: 0
                multiplier: 2
            """)
        #expect(
            config
                == OTLPExporterConfig(
                    endpoint: "tempo.monitoring:4317",
                    tls: ClientTLSConfig(insecure: true, insecureSkipVerify: true),
                    headers: ["X-Scope-OrgID": "tenant-a", "x-trace-bin": "AAEC"],
                    compression: .none,
                    timeout: .seconds(10),
                    sendingQueue: SendingQueueConfig(enabled: false, numConsumers: 2, queueSize: 50, sizer: .requests),
                    retryOnFailure: RetryOnFailureConfig(
                        enabled: false, initialInterval: .seconds(1), maxInterval: .seconds(2),
                        maxElapsedTime: .zero, multiplier: 2),
                    authenticator: nil
                ))
    }

    @Test func nullSectionsMeanDefaults() throws {
        #expect(
            try exporter(
                "  endpoint: http://t:1\n  sending_queue:\n  retry_on_failure:\n  tls:\n  headers:\n  compression:\n  timeout:"
            ) == OTLPExporterConfig(endpoint: "http://t:1"))
    }

    @Test func compression() throws {
        #expect(try exporter("  endpoint: http://t:1\n  compression: gzip").compression == .gzip)
        #expect(try exporter("  endpoint: http://t:1\n  compression: GZIP").compression == .gzip)
        #expect(try exporter("  endpoint: http://t:1\n  compression: none").compression == .none)
        #expect(try exporter("  endpoint: http://t:1\n  compression: \"\"").compression == .none)
        #expect(
            try exporter("  endpoint: http://t:1\n  compression: ${env:COMPRESSION}", environment: [:]).compression
                == .none)
        #expect(try exporter("  endpoint: http://t:1\n  compression: zstd").compression == .zstd)
        #expect(try exporter("  endpoint: http://t:1\n  compression: snappy").compression == .snappy)
        #expect(
            problemsWith("  compression: lz4") == [
                "exporters.otlp.compression: lz4 is not a gRPC encoding; use gzip, zstd or snappy"
            ])
        #expect(
            problemsWith("  compression: brotli") == [
                #"exporters.otlp.compression: expected one of gzip, zstd, snappy, deflate, zlib, lz4, none, got "brotli""#
            ])
        #expect(
            problemsWith("  compression: [gzip]") == [
                "exporters.otlp.compression: expected one of gzip, zstd, snappy, deflate, zlib, lz4, none, got a list"
            ])
    }

    @Test func reservedHeadersAreRefused() {
        #expect(
            problemsWith(
                """
                  headers:
                    Content-Type: application/grpc+json
                    te: trailers
                    grpc-encoding: identity
                    grpc-accept-encoding: gzip
                    GRPC-Timeout: 1S
                    user-agent: me
                    ":authority": other
                    ":path": /x
                    connection: close
                    Keep-Alive: 5
                    "bad header": x
                    X-Scope-OrgID: a
                    x-scope-orgid: b
                    X-Break: "a\\nb"
                """) == [
                    "exporters.otlp.headers.Content-Type: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                    "exporters.otlp.headers.te: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                    "exporters.otlp.headers.grpc-encoding: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                    "exporters.otlp.headers.grpc-accept-encoding: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                    "exporters.otlp.headers.GRPC-Timeout: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                    "exporters.otlp.headers.user-agent: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                    #"exporters.otlp.headers.:authority: pseudo-headers (starting with ":") are set by the transport and cannot be set"#,
                    #"exporters.otlp.headers.:path: pseudo-headers (starting with ":") are set by the transport and cannot be set"#,
                    "exporters.otlp.headers.connection: is managed by the HTTP client and cannot be set",
                    "exporters.otlp.headers.Keep-Alive: is managed by the HTTP client and cannot be set",
                    "exporters.otlp.headers.bad header: not a valid HTTP header name",
                    #"exporters.otlp.headers.x-scope-orgid: same header as "X-Scope-OrgID" (header names ignore case)"#,
                    "exporters.otlp.headers.X-Break: must not contain control characters such as line breaks",
                ])
        #expect(
            problemsWith("  headers: tenant") == [
                #"exporters.otlp.headers: expected a mapping of names to strings, got "tenant""#
            ])
    }

    @Test func headerValuesAreExpanded() throws {
        let config = try exporter(
            "  endpoint: http://t:1\n  headers:\n    X-Scope-OrgID: ${env:TENANT:-anonymous}\n    X-Team: ${TEAM}",
            environment: ["TEAM": "obs"])
        #expect(config.headers == ["X-Scope-OrgID": "anonymous", "X-Team": "obs"])
    }

    @Test func scalarQueueAndRetryProblems() {
        #expect(
            problemsWith(
                """
                  timeout: 0s
                  sending_queue:
                    enabled: sometimes
                    num_consumers: 0
                    queue_size: -5
                    sizer: items
                    block_on_overflow: true
                    storage: file_storage
                  retry_on_failure:
                    initial_interval: 1m
                    max_interval: 30s
                  balancer_name: round_robin
                """) == [
                    "exporters.otlp.timeout: must be greater than 0",
                    #"exporters.otlp.sending_queue.enabled: expected true or false, got "sometimes""#,
                    "exporters.otlp.sending_queue.num_consumers: must be at least 1, got 0",
                    "exporters.otlp.sending_queue.queue_size: must be at least 1, got -5",
                    #"exporters.otlp.sending_queue.storage: "file_storage" is not defined in extensions"#,
                    "exporters.otlp.sending_queue.block_on_overflow: unknown key",
                    "exporters.otlp.retry_on_failure.max_interval: must be at least initial_interval (1m), got 30s",
                    "exporters.otlp.balancer_name: unknown key",
                ])
        #expect(
            problemsWith("  timeout: \"5\"") == [
                #"exporters.otlp.timeout: expected a duration like 200ms or 5s, got "5" (a bare number has no unit)"#
            ])
    }

    @Test func readsTLSKeys() throws {
        let config = try exporter(
            """
              endpoint: tempo.example.com:443
              tls:
                ca_file: /etc/otel/ca.pem
                cert_file: /etc/otel/client.pem
                key_file: /etc/otel/client-key.pem
                server_name_override: tempo.internal
                min_version: "1.3"
                max_version: "1.3"
                insecure_skip_verify: false
            """)
        #expect(
            config.tls
                == ClientTLSConfig(
                    caFile: "/etc/otel/ca.pem", certFile: "/etc/otel/client.pem", keyFile: "/etc/otel/client-key.pem",
                    serverNameOverride: "tempo.internal", minVersion: .tls13, maxVersion: .tls13))
        #expect(config.usesTLS)
        #expect(
            try exporter("  endpoint: t:1\n  tls:\n    min_version: 1.2\n    max_version: 1.3").tls.maxVersion == .tls13
        )
    }

    @Test func authenticator() throws {
        let extensions = "bearertokenauth/tempo:\n  token: t\nhealth_check:"
        #expect(
            try exporter(
                "  endpoint: http://t:1\n  auth:\n    authenticator: bearertokenauth/tempo", extensions: extensions,
                serviceExtensions: "[bearertokenauth/tempo]"
            ).authenticator == ComponentID(type: "bearertokenauth", name: "tempo"))
        #expect(
            problemsWith("  auth:\n    authenticator: bearertokenauth/tempo", extensions: extensions) == [
                #"exporters.otlp.auth.authenticator: extension "bearertokenauth/tempo" must also be listed in service.extensions"#
            ])
        #expect(
            problemsWith(
                "  auth:\n    authenticator: health_check", extensions: extensions, serviceExtensions: "[health_check]")
                == [
                    #"exporters.otlp.auth.authenticator: "health_check" is not an authenticator; expected a basicauth or bearertokenauth or headers_setter extension"#
                ])
        #expect(
            problemsWith(
                "  headers:\n    Authorization: Bearer x\n  auth:\n    authenticator: bearertokenauth/tempo",
                extensions: extensions, serviceExtensions: "[bearertokenauth/tempo]") == [
                    "exporters.otlp.headers.Authorization: cannot be set together with auth.authenticator, which sets it"
                ])
    }
}
