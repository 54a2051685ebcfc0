import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import OTLPExporter
import Testing

@Suite struct OTLPHTTPExporterConfigTests {
    /// The config of `otlphttp` (or `type`) written with `body` under it (indented by the caller).
    private func exporter(
        _ body: String, type: String = "otlphttp", extensions: String? = nil, serviceExtensions: String? = nil,
        environment: [String: String] = [:]
    ) throws -> OTLPHTTPExporterConfig {
        let config = try GatewayConfiguration.parse(
            yaml: exporterDocument(type, body, extensions: extensions, serviceExtensions: serviceExtensions),
            environment: environment)
        guard let exporter = config.exporters[ComponentID(type: type)] as? OTLPHTTPExporterConfig else {
            Issue.record("no otlphttp exporter")
            return OTLPHTTPExporterConfig()
        }
        return exporter
    }

    /// Problem lines for `otlphttp` with `body`, plus an endpoint unless `endpoint` is nil.
    private func problemsWith(
        _ body: String, endpoint: String? = "http://tempo:4318", extensions: String? = nil,
        serviceExtensions: String? = nil, environment: [String: String] = [:]
    ) -> [String] {
        let endpointLine = endpoint.map { "  endpoint: \($0)\n" } ?? ""
        return problems(
            exporterDocument(
                "otlphttp", endpointLine + body, extensions: extensions, serviceExtensions: serviceExtensions),
            environment: environment)
    }

    @Test func defaults() throws {
        let config = OTLPHTTPExporterConfig(endpoint: "http://tempo:4318")
        #expect(config.endpoint == "http://tempo:4318")
        #expect(config.tracesEndpoint == nil)
        #expect(config.metricsEndpoint == nil)
        #expect(config.logsEndpoint == nil)
        #expect(config.compression == .gzip)
        #expect(config.encoding == .proto)
        #expect(config.timeout == .seconds(30))
        #expect(config.headers.isEmpty)
        #expect(config.sendingQueue == SendingQueueConfig())
        #expect(config.retryOnFailure == RetryOnFailureConfig())
        #expect(config.authenticator == nil)
        #expect(config.tls == ClientTLSConfig())
        #expect(!config.usesTLS)
        #expect(try exporter("  endpoint: http://tempo:4318") == config)
        #expect(try exporter("  endpoint: http://tempo:4318", type: "otlp_http") == config)
    }

    @Test func signalURLsAreAppendedToTheBase() throws {
        let config = try exporter("  endpoint: http://tempo:4318")
        #expect(config.url(for: .traces) == HTTPURL(scheme: "http", host: "tempo", port: 4318, path: "/v1/traces"))
        #expect(config.url(for: .metrics) == HTTPURL(scheme: "http", host: "tempo", port: 4318, path: "/v1/metrics"))
        #expect(config.url(for: .logs) == HTTPURL(scheme: "http", host: "tempo", port: 4318, path: "/v1/logs"))
        #expect(config.url(for: .traces)?.description == "http://tempo:4318/v1/traces")

        for (base, path) in [
            ("http://gw/otlp", "/otlp/v1/logs"), ("http://gw/otlp/", "/otlp/v1/logs"), ("http://gw/", "/v1/logs"),
            ("http://gw", "/v1/logs"),
        ] {
            #expect(try exporter("  endpoint: \(base)").url(for: .logs)?.path == path, "\(base)")
        }
        let ipv6 = try exporter("  endpoint: \"http://[::1]:4318\"").url(for: .metrics)
        #expect(ipv6 == HTTPURL(scheme: "http", host: "::1", port: 4318, path: "/v1/metrics"))
        #expect(ipv6?.description == "http://[::1]:4318/v1/metrics")
        #expect(try exporter("  endpoint: http://loki").url(for: .logs)?.port == 80)
    }

    @Test func perSignalURLsOverrideTheBase() throws {
        let config = try exporter(
            """
              endpoint: http://gateway:4318
              logs_endpoint: http://loki:3100/otlp/v1/logs
              metrics_endpoint: http://mimir:9009/otlp/v1/metrics?tenant=a
            """)
        #expect(config.url(for: .traces)?.description == "http://gateway:4318/v1/traces")
        #expect(config.url(for: .metrics)?.description == "http://mimir:9009/otlp/v1/metrics?tenant=a")
        #expect(config.url(for: .logs)?.description == "http://loki:3100/otlp/v1/logs")
        #expect(config.logsEndpoint == "http://loki:3100/otlp/v1/logs")

        let tracesOnly = try exporter("  traces_endpoint: http://tempo:4318/v1/traces")
        #expect(tracesOnly.endpoint == nil)
        #expect(tracesOnly.url(for: .traces)?.path == "/v1/traces")
        #expect(tracesOnly.url(for: .metrics) == nil)
        #expect(tracesOnly.url(for: .logs) == nil)
        // A per-signal URL is used exactly as written, without /v1/... appended.
        #expect(try exporter("  traces_endpoint: http://tempo:4318").url(for: .traces)?.path == "/")
    }

    @Test func someURLIsRequired() {
        let line =
            "exporters.otlphttp.endpoint: required: the base URL of the OTLP/HTTP receiver, e.g. http://tempo:4318 (or traces_endpoint, metrics_endpoint, logs_endpoint)"
        #expect(problemsWith("", endpoint: nil) == [line])
        #expect(problemsWith("  endpoint:\n  traces_endpoint:", endpoint: nil) == [line])
        #expect(problemsWith("  logs_endpoint: http://loki:3100/otlp/v1/logs", endpoint: nil) == [])
    }

    @Test func httpsURLsUseTLS() throws {
        let config = try exporter("  endpoint: https://tempo.example.com\n  tls:\n    ca_file: /etc/ca.pem")
        #expect(config.usesTLS)
        #expect(
            config.url(for: .traces)
                == HTTPURL(scheme: "https", host: "tempo.example.com", port: 443, path: "/v1/traces"))
        #expect(config.tls.caFile == "/etc/ca.pem")
        // Only one signal over TLS is enough for the TLS settings to apply.
        let mixed = try exporter(
            "  endpoint: http://tempo:4318\n  logs_endpoint: https://loki/otlp/v1/logs\n  tls:\n    ca_file: /etc/ca.pem"
        )
        #expect(mixed.usesTLS)
        #expect(mixed.url(for: .traces)?.scheme == "http")
        #expect(mixed.url(for: .logs)?.scheme == "https")
    }

    /// `insecure` does not decide TLS for HTTP (the scheme does), so setting it against https:// is refused; TLS
    /// files without any https:// URL would be ignored, so they are refused too.
    @Test func tlsSettingsThatContradictTheScheme() {
        #expect(
            problemsWith("  tls:\n    insecure: true", endpoint: "https://tempo") == [
                "exporters.otlphttp.tls.insecure: cannot be true with an https:// endpoint, which means TLS; remove one of them"
            ])
        #expect(problemsWith("  tls:\n    insecure: true", endpoint: "http://tempo") == [])
        #expect(
            problemsWith("  tls:\n    cert_file: c.pem\n    key_file: k.pem", endpoint: "http://tempo") == [
                "exporters.otlphttp.tls.cert_file: cannot be used with an http:// endpoint, which means plaintext; use https:// for TLS",
                "exporters.otlphttp.tls.key_file: cannot be used with an http:// endpoint, which means plaintext; use https:// for TLS",
            ])
    }

    @Test func urlProblems() {
        #expect(
            problemsWith(
                """
                  traces_endpoint: https://tempo/v1/traces
                  metrics_endpoint: mimir:9009/otlp/v1/metrics
                  logs_endpoint: http://user:pw@loki/otlp/v1/logs
                """, endpoint: "https://tempo.example.com") == [
                    #"exporters.otlphttp.metrics_endpoint: expected a URL like http://tempo:4318/v1/metrics, got "mimir:9009/otlp/v1/metrics" (missing http:// or https://)"#,
                    "exporters.otlphttp.logs_endpoint: credentials in the URL are not supported; use auth.authenticator with a basicauth extension",
                ])
        #expect(
            problemsWith("", endpoint: "grpc://tempo:4317") == [
                #"exporters.otlphttp.endpoint: expected a URL like http://tempo:4318, got "grpc://tempo:4317" (unsupported scheme "grpc")"#
            ])
        #expect(
            problemsWith("", endpoint: "http://tempo:4318/?x=1") == [
                "exporters.otlphttp.endpoint: must not have a query: /v1/<signal> is appended to it; use traces_endpoint etc."
            ])
        #expect(
            problemsWith("", endpoint: "{a: 1}") == [
                "exporters.otlphttp.endpoint: expected a URL like http://tempo:4318, got a mapping"
            ])
    }

    @Test func readsEveryKey() throws {
        let config = try exporter(
            """
              endpoint: http://tempo:4318/base
              traces_endpoint: http://tempo:4318/v1/traces
              metrics_endpoint: http://mimir:9009/otlp/v1/metrics
              logs_endpoint: http://loki:3100/otlp/v1/logs
              compression: none
              encoding: JSON
              timeout: 2s
              headers:
                X-Scope-OrgID: tenant-a
              sending_queue:
                enabled: true
                num_consumers: 4
                queue_size: 100
              retry_on_failure:
                initial_interval: 1s
                max_interval: 5s
                max_elapsed_time: 1m
                multiplier: 3
              tls:
                insecure: true
            """)
        #expect(
            config
                == OTLPHTTPExporterConfig(
                    endpoint: "http://tempo:4318/base",
                    tracesEndpoint: "http://tempo:4318/v1/traces",
                    metricsEndpoint: "http://mimir:9009/otlp/v1/metrics",
                    logsEndpoint: "http://loki:3100/otlp/v1/logs",
                    compression: .none,
                    encoding: .json,
                    timeout: .seconds(2),
                    headers: ["X-Scope-OrgID": "tenant-a"],
                    sendingQueue: SendingQueueConfig(enabled: true, numConsumers: 4, queueSize: 100, sizer: .requests),
                    retryOnFailure: RetryOnFailureConfig(
                        initialInterval: .seconds(1), maxInterval: .seconds(5), maxElapsedTime: .seconds(60),
                        multiplier: 3),
                    authenticator: nil,
                    tls: ClientTLSConfig(insecure: true)
                ))
    }

    @Test func scalarProblems() throws {
        #expect(
            problemsWith(
                """
                  compression: brotli
                  encoding: protobuf
                  timeout: -1s
                  compression_params:
                    level: 1
                """) == [
                    #"exporters.otlphttp.compression: expected one of gzip, zstd, snappy, deflate, zlib, lz4, none, got "brotli""#,
                    #"exporters.otlphttp.encoding: expected one of proto, json, got "protobuf""#,
                    #"exporters.otlphttp.timeout: must not be negative, got "-1s""#,
                    "exporters.otlphttp.compression_params: unknown key",
                ])
        #expect(try exporter("  endpoint: http://t\n  compression: \"\"").compression == .none)
    }

    @Test func headers() throws {
        #expect(
            problemsWith(
                "  headers:\n    content-type: application/json\n    Content-Encoding: br\n    User-Agent: x\n    Transfer-Encoding: chunked\n    \":method\": GET"
            ) == [
                "exporters.otlphttp.headers.content-type: is set by the exporter and cannot be overridden (reserved: Content-Type, Content-Encoding, User-Agent)",
                "exporters.otlphttp.headers.Content-Encoding: is set by the exporter and cannot be overridden (reserved: Content-Type, Content-Encoding, User-Agent)",
                "exporters.otlphttp.headers.User-Agent: is set by the exporter and cannot be overridden (reserved: Content-Type, Content-Encoding, User-Agent)",
                "exporters.otlphttp.headers.Transfer-Encoding: is managed by the HTTP client and cannot be set",
                #"exporters.otlphttp.headers.:method: pseudo-headers (starting with ":") are set by the transport and cannot be set"#,
            ])
        // gRPC's reserved metadata is an ordinary header here.
        #expect(try exporter("  endpoint: http://t\n  headers:\n    te: x").headers == ["te": "x"])
    }

    @Test func authenticator() throws {
        let extensions = "basicauth/loki:\n  client_auth:\n    username: u\n    password: p"
        #expect(
            try exporter(
                "  endpoint: http://loki:3100/otlp\n  auth:\n    authenticator: basicauth/loki", extensions: extensions,
                serviceExtensions: "[basicauth/loki]"
            ).authenticator == ComponentID(type: "basicauth", name: "loki"))
        #expect(
            problemsWith("  auth:\n    authenticator: basicauth/other", extensions: extensions) == [
                #"exporters.otlphttp.auth.authenticator: "basicauth/other" is not defined in extensions"#
            ])
    }

    @Test func envExpansion() throws {
        let config = try exporter(
            "  endpoint: ${env:TEMPO_URL:-http://localhost:4318}\n  headers:\n    X-Scope-OrgID: ${env:TENANT}",
            environment: ["TENANT": "t1"])
        #expect(config.url(for: .traces)?.description == "http://localhost:4318/v1/traces")
        #expect(config.headers == ["X-Scope-OrgID": "t1"])
        #expect(
            try exporter("  endpoint: ${env:TEMPO_URL}", environment: ["TEMPO_URL": "http://tempo:4318"]).endpoint
                == "http://tempo:4318")
    }
}
