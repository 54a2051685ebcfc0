import ComponentKit
import ConfigTestSupport
import GatewayConfig
import PrometheusRemoteWriteExporter
import Testing

@Suite struct PrometheusRemoteWriteExporterConfigTests {
    private static let prw = ComponentID(type: "prometheusremotewrite")

    /// The config of `prometheusremotewrite` written with `body` under it (indented by the caller).
    private func exporter(
        _ body: String, extensions: String? = nil, serviceExtensions: String? = nil,
        environment: [String: String] = [:]
    ) throws -> PrometheusRemoteWriteExporterConfig {
        let config = try GatewayConfiguration.parse(
            yaml: exporterDocument(
                "prometheusremotewrite", body, extensions: extensions, serviceExtensions: serviceExtensions),
            environment: environment)
        guard let exporter = config.exporters[Self.prw] as? PrometheusRemoteWriteExporterConfig else {
            Issue.record("no prometheusremotewrite exporter")
            return PrometheusRemoteWriteExporterConfig(endpoint: "http://unused/")
        }
        return exporter
    }

    /// Problem lines for `prometheusremotewrite` with `body`, plus an endpoint unless `endpoint` is nil.
    private func problemsWith(
        _ body: String, endpoint: String? = "http://mimir:9009/api/v1/push", extensions: String? = nil,
        serviceExtensions: String? = nil, environment: [String: String] = [:]
    ) -> [String] {
        let endpointLine = endpoint.map { "  endpoint: \($0)\n" } ?? ""
        return problems(
            exporterDocument(
                "prometheusremotewrite", endpointLine + body, extensions: extensions,
                serviceExtensions: serviceExtensions),
            environment: environment)
    }

    @Test func defaults() throws {
        let config = PrometheusRemoteWriteExporterConfig(endpoint: "http://mimir:9009/api/v1/push")
        #expect(config.endpoint == "http://mimir:9009/api/v1/push")
        #expect(config.scheme == "http")
        #expect(config.host == "mimir")
        #expect(config.port == 9009)
        #expect(config.path == "/api/v1/push")
        #expect(config.headers.isEmpty)
        #expect(config.externalLabels.isEmpty)
        #expect(config.namespace == "")
        #expect(config.translation == .underscoreEscaping)
        #expect(config.timeout == .seconds(5))
        #expect(config.interval == .seconds(15))
        #expect(config.maxBatchSizeBytes == 3_000_000)
        #expect(config.sendNativeHistograms == false)
        #expect(config.resourceToTelemetryConversionEnabled == false)
        #expect(config.promoteResourceAttributes.isEmpty)
        #expect(config.targetInfoEnabled == true)
        #expect(config.staleAfter == .seconds(300))
        #expect(config.maxSeriesPerMetric == 20_000)
        #expect(config.remoteWriteQueue == RemoteWriteQueueConfig(enabled: true, queueSize: 10_000, numConsumers: 5))
        #expect(
            config.retryOnFailure
                == RetryOnFailureConfig(
                    enabled: true, initialInterval: .milliseconds(50), maxInterval: .seconds(30),
                    maxElapsedTime: .seconds(300), multiplier: 1.5))
        #expect(config.authenticator == nil)
        #expect(config.tls == ClientTLSConfig(insecure: false, insecureSkipVerify: false))
        #expect(!config.usesTLS)
        #expect(try exporter("  endpoint: http://mimir:9009/api/v1/push") == config)
    }

    @Test func exporterhelperRetryDefaults() {
        let retry = RetryOnFailureConfig()
        #expect(retry.enabled)
        #expect(retry.initialInterval == .seconds(5))
        #expect(retry.maxInterval == .seconds(30))
        #expect(retry.maxElapsedTime == .seconds(300))
        #expect(retry.multiplier == 1.5)
    }

    @Test(arguments: [
        ("http://mimir:9009/api/v1/push", "mimir", 9009, "/api/v1/push"),
        ("http://mimir", "mimir", 80, "/"),
        ("HTTP://Prometheus.example:80/", "Prometheus.example", 80, "/"),
        ("http://10.0.0.1:9090/api/v1/write", "10.0.0.1", 9090, "/api/v1/write"),
        ("http://vm:8428?extra_label=a", "vm", 8428, "/?extra_label=a"),
        ("http://vm/api/v1/write?extra_label=a%3Db", "vm", 80, "/api/v1/write?extra_label=a%3Db"),
        ("http://[::1]:9009/push", "::1", 9009, "/push"),
        ("http://[fe80::1%25eth0]", "fe80::1%25eth0", 80, "/"),
        ("http://my_host-1:65535", "my_host-1", 65535, "/"),
    ])
    func parsesEndpoint(url: String, host: String, port: Int, path: String) throws {
        let config = try exporter("  endpoint: \"\(url)\"")
        #expect(config.endpoint == url)
        #expect(config.scheme == "http")
        #expect(config.host == host)
        #expect(config.port == port)
        #expect(config.path == path)
    }

    @Test func httpsMeansTLSAndDefaultsToPort443() throws {
        #expect(PrometheusRemoteWriteExporterConfig(endpoint: "https://mimir/push").port == 443)
        let config = try exporter("  endpoint: https://mimir.example.com/api/v1/push")
        #expect(config.scheme == "https")
        #expect(config.port == 443)
        #expect(config.usesTLS)
        #expect(try exporter("  endpoint: HTTPS://mimir:8443").usesTLS)
        #expect(try exporter("  endpoint: HTTPS://mimir:8443").port == 8443)
    }

    @Test func endpointIsRequired() {
        let expected = [
            "exporters.prometheusremotewrite.endpoint: required: the remote-write URL, e.g. http://mimir:9009/api/v1/push"
        ]
        #expect(problemsWith("", endpoint: nil) == expected)
        #expect(problemsWith("  endpoint:\n", endpoint: nil) == expected)
        #expect(
            problems(document(exporters: "debug:\nprometheusremotewrite/a:\n  endpoint: [a]")) == [
                "exporters.prometheusremotewrite/a.endpoint: expected a URL like http://mimir:9009/api/v1/push, got a list"
            ])
    }

    @Test func endpointProblems() {
        func line(_ url: String, _ suffix: String = "") -> String {
            #"exporters.prometheusremotewrite.endpoint: expected a URL like http://mimir:9009/api/v1/push, got "\#(url)""#
                + suffix
        }
        #expect(
            problemsWith("", endpoint: "mimir:9009/api/v1/push") == [
                line("mimir:9009/api/v1/push", " (missing http:// or https://)")
            ])
        #expect(problemsWith("", endpoint: "ftp://mimir/x") == [line("ftp://mimir/x", #" (unsupported scheme "ftp")"#)])
        #expect(
            problemsWith("", endpoint: "http://user:secret@mimir/push") == [
                "exporters.prometheusremotewrite.endpoint: credentials in the URL are not supported; use auth.authenticator with a basicauth extension"
            ])
        for url in [
            "http://", "http:///push", "http://mimir:0/", "http://mimir:65536/", "http://mimir:/", "http://mimir:x/",
            "http://mimir/push#frag", "\"http://mi mir/\"", "http://mimir/pfad/ü", "http://[::1/", "http://[::1]x/",
            "http://[mimir]/", "http://a:1:2/", "1http://mimir/",
        ] {
            let text = url.hasPrefix("\"") ? String(url.dropFirst().dropLast()) : url
            #expect(problemsWith("", endpoint: url) == [line(text)], "\(url)")
        }
    }

    @Test func readsEveryKey() throws {
        let config = try exporter(
            """
              endpoint: http://mimir:9009/api/v1/push
              headers:
                X-Scope-OrgID: tenant-a
                x-custom: ""
              external_labels:
                cluster: eu-1
                _replica: r1
              namespace: gateway
              translation: No_Translation
              timeout: 10s
              interval: 1m
              max_batch_size_bytes: 1024
              send_native_histograms: true
              resource_to_telemetry_conversion:
                enabled: false
              promote_resource_attributes: [service.namespace, k8s.pod.name]
              target_info:
                enabled: false
              stale_after: 10m
              max_series_per_metric: 1
              remote_write_queue:
                enabled: false
                queue_size: 1
                num_consumers: 1
              retry_on_failure:
                enabled: false
                initial_interval: 1s
                max_interval: 1s
                max_elapsed_time: 0
                multiplier: 2
              tls:
                insecure: true
                insecure_skip_verify: true
            """)
        #expect(
            config
                == PrometheusRemoteWriteExporterConfig(
                    endpoint: "http://mimir:9009/api/v1/push",
                    headers: ["X-Scope-OrgID": "tenant-a", "x-custom": ""],
                    externalLabels: ["cluster": "eu-1", "_replica": "r1"],
                    namespace: "gateway",
                    translation: .noTranslation,
                    timeout: .seconds(10),
                    interval: .seconds(60),
                    maxBatchSizeBytes: 1024,
                    sendNativeHistograms: true,
                    resourceToTelemetryConversionEnabled: false,
                    promoteResourceAttributes: ["service.namespace", "k8s.pod.name"],
                    targetInfoEnabled: false,
                    staleAfter: .seconds(600),
                    maxSeriesPerMetric: 1,
                    remoteWriteQueue: RemoteWriteQueueConfig(enabled: false, queueSize: 1, numConsumers: 1),
                    retryOnFailure: RetryOnFailureConfig(
                        enabled: false, initialInterval: .seconds(1), maxInterval: .seconds(1), maxElapsedTime: .zero,
                        multiplier: 2),
                    authenticator: nil,
                    tls: ClientTLSConfig(insecure: true, insecureSkipVerify: true)
                ))
    }

    @Test func nullSectionsMeanDefaults() throws {
        let config = try exporter(
            "  endpoint: http://m/\n  remote_write_queue:\n  retry_on_failure:\n  target_info:\n  resource_to_telemetry_conversion:\n  tls:\n  headers:\n  external_labels:"
        )
        #expect(config == PrometheusRemoteWriteExporterConfig(endpoint: "http://m/"))
        #expect(
            try exporter("  endpoint: http://m/\n  resource_to_telemetry_conversion: {enabled: true}")
                .resourceToTelemetryConversionEnabled)
    }

    @Test func headerProblems() {
        #expect(
            problemsWith(
                """
                  headers:
                    content-type: text/plain
                    CONTENT-ENCODING: gzip
                    X-Prometheus-Remote-Write-Version: 2.0.0
                    User-Agent: me
                    Content-Length: 5
                    "Bad Header": x
                    X-Scope-OrgID: a
                    x-scope-orgid: b
                    X-Nested: {a: 1}
                """) == [
                    "exporters.prometheusremotewrite.headers.X-Nested: expected a string, got a mapping",
                    "exporters.prometheusremotewrite.headers.content-type: is set by the exporter and cannot be overridden (reserved: Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, User-Agent)",
                    "exporters.prometheusremotewrite.headers.CONTENT-ENCODING: is set by the exporter and cannot be overridden (reserved: Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, User-Agent)",
                    "exporters.prometheusremotewrite.headers.X-Prometheus-Remote-Write-Version: is set by the exporter and cannot be overridden (reserved: Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, User-Agent)",
                    "exporters.prometheusremotewrite.headers.User-Agent: is set by the exporter and cannot be overridden (reserved: Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, User-Agent)",
                    "exporters.prometheusremotewrite.headers.Content-Length: is managed by the HTTP client and cannot be set",
                    "exporters.prometheusremotewrite.headers.Bad Header: not a valid HTTP header name",
                    #"exporters.prometheusremotewrite.headers.x-scope-orgid: same header as "X-Scope-OrgID" (header names ignore case)"#,
                ])
        #expect(
            problemsWith("  headers: [a]") == [
                "exporters.prometheusremotewrite.headers: expected a mapping of names to strings, got a list"
            ])
    }

    @Test func headerValuesAreExpandedAndCannotBreakTheRequest() throws {
        let config = try exporter(
            "  endpoint: http://m/\n  headers:\n    X-Scope-OrgID: ${env:TENANT}\n    X-Key: \"${env:KEY:-none}\"",
            environment: ["TENANT": "team-a"])
        #expect(config.headers == ["X-Scope-OrgID": "team-a", "X-Key": "none"])
        #expect(
            problemsWith("  headers:\n    X-Scope-OrgID: ${env:TENANT}", environment: ["TENANT": "a\r\nX-Evil: 1"]) == [
                "exporters.prometheusremotewrite.headers.X-Scope-OrgID: must not contain control characters such as line breaks"
            ])
    }

    @Test func externalLabelProblems() {
        #expect(
            problemsWith(
                """
                  external_labels:
                    cluster: eu
                    1cluster: x
                    service.name: x
                    __name__: x
                    empty: ""
                    env: ${env:UNSET}
                """) == [
                    "exporters.prometheusremotewrite.external_labels.1cluster: invalid label name; expected [a-zA-Z_][a-zA-Z0-9_]*",
                    "exporters.prometheusremotewrite.external_labels.service.name: invalid label name; expected [a-zA-Z_][a-zA-Z0-9_]*",
                    "exporters.prometheusremotewrite.external_labels.__name__: label names starting with __ are reserved for Prometheus",
                    "exporters.prometheusremotewrite.external_labels.empty: must not be empty (an empty value removes the label in Prometheus)",
                    "exporters.prometheusremotewrite.external_labels.env: must not be empty (an empty value removes the label in Prometheus) (${env:UNSET} is not set)",
                ])
    }

    @Test func translation() throws {
        #expect(
            try exporter("  endpoint: http://m/\n  translation: UNDERSCORE_ESCAPING").translation == .underscoreEscaping
        )
        #expect(try exporter("  endpoint: http://m/\n  translation: no_translation").translation == .noTranslation)
        #expect(
            try exporter("  endpoint: http://m/\n  translation_strategy: UnderscoreEscapingWithSuffixes").translation
                == .underscoreEscaping)
        #expect(
            try exporter("  endpoint: http://m/\n  translation_strategy: NoTranslation").translation == .noTranslation)
        #expect(
            problemsWith("  translation: escape") == [
                #"exporters.prometheusremotewrite.translation: expected one of underscore_escaping, no_translation, got "escape""#
            ])
        #expect(
            problemsWith("  translation_strategy: UnderscoreEscapingWithoutSuffixes\n") == [
                #"exporters.prometheusremotewrite.translation_strategy: expected one of UnderscoreEscapingWithSuffixes, NoTranslation, got "UnderscoreEscapingWithoutSuffixes""#
            ])
        #expect(
            problemsWith("  translation_strategy: notranslation\n") == [
                #"exporters.prometheusremotewrite.translation_strategy: expected one of UnderscoreEscapingWithSuffixes, NoTranslation, got "notranslation""#
            ])
        #expect(
            problemsWith("  translation: no_translation\n  translation_strategy: NoTranslation") == [
                "exporters.prometheusremotewrite.translation_strategy: cannot be combined with translation; write only one of them"
            ])
    }

    @Test func scalarProblems() {
        #expect(
            problemsWith(
                """
                  namespace: my-app
                  timeout: 0s
                  interval: "15"
                  max_batch_size_bytes: 1023
                  send_native_histograms: sometimes
                  stale_after: -1m
                  max_series_per_metric: 0
                """) == [
                    #"exporters.prometheusremotewrite.namespace: expected a name matching [a-zA-Z_][a-zA-Z0-9_]*, got "my-app""#,
                    "exporters.prometheusremotewrite.timeout: must be greater than 0",
                    #"exporters.prometheusremotewrite.interval: expected a duration like 200ms or 5s, got "15" (a bare number has no unit)"#,
                    "exporters.prometheusremotewrite.max_batch_size_bytes: must be at least 1024, got 1023",
                    #"exporters.prometheusremotewrite.send_native_histograms: expected true or false, got "sometimes""#,
                    #"exporters.prometheusremotewrite.stale_after: must not be negative, got "-1m""#,
                    "exporters.prometheusremotewrite.max_series_per_metric: must be at least 1, got 0",
                ])
    }

    @Test func promotedResourceAttributes() {
        #expect(
            problemsWith("  promote_resource_attributes: [a, \"\", a, {x: 1}]") == [
                "exporters.prometheusremotewrite.promote_resource_attributes[3]: expected a string, got a mapping",
                "exporters.prometheusremotewrite.promote_resource_attributes: attribute keys must not be empty",
                #"exporters.prometheusremotewrite.promote_resource_attributes: "a" is listed more than once"#,
            ])
        #expect(
            problemsWith("  resource_to_telemetry_conversion:\n    enabled: true\n  promote_resource_attributes: [a]")
                == [
                    "exporters.prometheusremotewrite.promote_resource_attributes: cannot be combined with resource_to_telemetry_conversion.enabled, which already copies every resource attribute"
                ])
        #expect(
            problemsWith("  resource_to_telemetry_conversion:\n    enabled: yes\n    exclude: [a]\n  target_info: true")
                == [
                    #"exporters.prometheusremotewrite.resource_to_telemetry_conversion.enabled: expected true or false, got "yes""#,
                    "exporters.prometheusremotewrite.resource_to_telemetry_conversion.exclude: unknown key",
                    #"exporters.prometheusremotewrite.target_info: expected a mapping, got "true""#,
                ])
    }

    @Test func queueAndRetryProblems() {
        #expect(
            problemsWith(
                """
                  remote_write_queue:
                    queue_size: 0
                    num_consumers: -1
                    storage: file_storage
                  retry_on_failure:
                    initial_interval: 1m
                    max_interval: 30s
                    max_elapsed_time: -1s
                    multiplier: 0.5
                    randomization_factor: 0.5
                """) == [
                    "exporters.prometheusremotewrite.remote_write_queue.queue_size: must be at least 1, got 0",
                    "exporters.prometheusremotewrite.remote_write_queue.num_consumers: must be at least 1, got -1",
                    "exporters.prometheusremotewrite.remote_write_queue.storage: unknown key",
                    #"exporters.prometheusremotewrite.retry_on_failure.max_elapsed_time: must not be negative, got "-1s""#,
                    "exporters.prometheusremotewrite.retry_on_failure.multiplier: must be at least 1.0, got 0.5",
                    "exporters.prometheusremotewrite.retry_on_failure.max_interval: must be at least initial_interval (1m), got 30s",
                    "exporters.prometheusremotewrite.retry_on_failure.randomization_factor: unknown key",
                ])
        #expect(
            problemsWith("  retry_on_failure:\n    initial_interval: 0\n    multiplier: inf\n    max_interval: 100us")
                == [
                    "exporters.prometheusremotewrite.retry_on_failure.initial_interval: must be greater than 0",
                    #"exporters.prometheusremotewrite.retry_on_failure.multiplier: expected a number, got "inf""#,
                    "exporters.prometheusremotewrite.retry_on_failure.max_interval: must be at least initial_interval (50ms), got 100us",
                ])
    }

    @Test func retryNumbersAcceptDecimalForms() throws {
        #expect(
            try exporter("  endpoint: http://m/\n  retry_on_failure:\n    multiplier: 1e0").retryOnFailure.multiplier
                == 1)
        #expect(
            try exporter("  endpoint: http://m/\n  retry_on_failure:\n    multiplier: +2.5").retryOnFailure.multiplier
                == 2.5)
        for text in ["nan", "0x2p0", "1.5.1", "2e", ".", "1_0"] {
            #expect(
                problemsWith("  retry_on_failure:\n    multiplier: \(text)") == [
                    #"exporters.prometheusremotewrite.retry_on_failure.multiplier: expected a number, got "\#(text)""#
                ], "\(text)")
        }
    }

    @Test func tlsFollowsTheScheme() throws {
        #expect(
            try exporter("  endpoint: http://m/\n  tls:\n    insecure: true").tls == ClientTLSConfig(insecure: true))
        #expect(try exporter("  endpoint: http://m/\n  tls:\n    ca_file: \"\"").tls == ClientTLSConfig())
        let config = try exporter(
            "  endpoint: https://m/\n  tls:\n    ca_file: /etc/ca.pem\n    cert_file: /c.pem\n    key_file: /k.pem\n    min_version: \"1.3\""
        )
        #expect(
            config.tls
                == ClientTLSConfig(caFile: "/etc/ca.pem", certFile: "/c.pem", keyFile: "/k.pem", minVersion: .tls13))
        #expect(
            problemsWith(
                "  tls:\n    insecure: maybe\n    ca_file: /etc/ca.pem\n    cert_file: /c.pem\n    key_file: /k.pem\n    min_version: \"1.3\""
            ) == [
                #"exporters.prometheusremotewrite.tls.insecure: expected true or false, got "maybe""#,
                "exporters.prometheusremotewrite.tls.ca_file: cannot be used with an http:// endpoint, which means plaintext; use https:// for TLS",
                "exporters.prometheusremotewrite.tls.cert_file: cannot be used with an http:// endpoint, which means plaintext; use https:// for TLS",
                "exporters.prometheusremotewrite.tls.key_file: cannot be used with an http:// endpoint, which means plaintext; use https:// for TLS",
            ])
        #expect(
            problemsWith("  tls:\n    insecure: true", endpoint: "https://m/") == [
                "exporters.prometheusremotewrite.tls.insecure: cannot be true with an https:// endpoint, which means TLS; remove one of them"
            ])
    }

    @Test func authenticatorMustBeADefinedListedAuthExtension() throws {
        let extensions =
            "basicauth/a:\n  client_auth:\n    username: u\n    password: p\nbearertokenauth:\n  token: t\nhealth_check:"
        #expect(
            try exporter(
                "  endpoint: http://m/\n  auth:\n    authenticator: basicauth/a", extensions: extensions,
                serviceExtensions: "[basicauth/a]"
            ).authenticator == ComponentID(type: "basicauth", name: "a"))
        #expect(
            try exporter(
                "  endpoint: http://m/\n  auth:\n    authenticator: bearertokenauth", extensions: extensions,
                serviceExtensions: "[health_check, bearertokenauth]"
            ).authenticator == ComponentID(type: "bearertokenauth"))

        #expect(
            problemsWith(
                "  auth:\n    authenticator: basicauth/missing", extensions: extensions,
                serviceExtensions: "[basicauth/a]")
                == [
                    #"exporters.prometheusremotewrite.auth.authenticator: "basicauth/missing" is not defined in extensions"#
                ])
        #expect(
            problemsWith("  auth:\n    authenticator: basicauth/a", extensions: extensions) == [
                #"exporters.prometheusremotewrite.auth.authenticator: extension "basicauth/a" must also be listed in service.extensions"#
            ])
        #expect(
            problemsWith(
                "  auth:\n    authenticator: health_check", extensions: extensions, serviceExtensions: "[health_check]")
                == [
                    #"exporters.prometheusremotewrite.auth.authenticator: "health_check" is not an authenticator; expected a basicauth or bearertokenauth or headers_setter extension"#
                ])
        #expect(
            problemsWith("  auth:\n    authenticator: basicauth/", extensions: extensions) == [
                #"exporters.prometheusremotewrite.auth.authenticator: invalid component ID "basicauth/": the name after "/" must not be empty"#
            ])
        #expect(
            problemsWith("  auth:\n    authenticator: [a]\n    scheme: x") == [
                "exporters.prometheusremotewrite.auth.authenticator: expected an extension ID, got a list",
                "exporters.prometheusremotewrite.auth.scheme: unknown key",
            ])
        #expect(
            problemsWith("  auth:") == [
                "exporters.prometheusremotewrite.auth.authenticator: required: the ID of a basicauth or bearertokenauth or headers_setter extension"
            ])
    }

    @Test func anAuthenticatorWithABadConfigIsStillDefined() {
        #expect(
            problemsWith(
                "  auth:\n    authenticator: basicauth", extensions: "basicauth:\n  client_auth:\n    username: u",
                serviceExtensions: "[basicauth]") == [
                    "extensions.basicauth.client_auth.password: required"
                ])
    }

    @Test func authorizationHeaderConflictsWithAuth() {
        #expect(
            problemsWith(
                "  headers:\n    authorization: Bearer x\n  auth:\n    authenticator: bearertokenauth",
                extensions: "bearertokenauth:\n  token: t", serviceExtensions: "[bearertokenauth]") == [
                    "exporters.prometheusremotewrite.headers.authorization: cannot be set together with auth.authenticator, which sets it"
                ])
        // Without auth, a static Authorization header is allowed.
        #expect(problemsWith("  headers:\n    Authorization: Bearer x") == [])
    }

    @Test func unknownKeys() {
        #expect(
            problemsWith("  compression: snappy\n  wal:\n    directory: /tmp\n  sending_queue: {}") == [
                "exporters.prometheusremotewrite.compression: unknown key",
                "exporters.prometheusremotewrite.wal: unknown key",
                "exporters.prometheusremotewrite.sending_queue: unknown key",
            ])
    }

    @Test func everyExporterIsCheckedOnItsOwnPath() {
        #expect(
            problems(
                document(
                    exporters:
                        "debug:\nprometheusremotewrite/mimir:\n  endpoint: https://mimir/push\n  tls:\n    insecure: true\nprometheusremotewrite/prom:\n  endpoint: http://prom:9090/api/v1/write\n  timeout: 0"
                )) == [
                    "exporters.prometheusremotewrite/mimir.tls.insecure: cannot be true with an https:// endpoint, which means TLS; remove one of them",
                    #"exporters.prometheusremotewrite/prom.timeout: must be greater than 0"#,
                ])
    }
}
