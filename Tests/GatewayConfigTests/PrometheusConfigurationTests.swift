import BasicAuthExtension
import BearerTokenAuthExtension
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import HealthCheckExtension
import PrometheusExporter
import PrometheusRemoteWriteExporter
import Testing

/// Whole documents with the Prometheus exporters and the auth extensions, as users write them.
@Suite struct PrometheusConfigurationTests {
    @Test func metricsToMimirAndAScrapeEndpoint() throws {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
                  http:
            processors:
              batch:
            exporters:
              prometheusremotewrite/mimir:
                endpoint: http://mimir.monitoring:9009/api/v1/push
                headers:
                  X-Scope-OrgID: ${env:TENANT}
                external_labels:
                  cluster: ${env:CLUSTER:-dev}
                namespace: otel
                translation_strategy: UnderscoreEscapingWithSuffixes
                timeout: 10s
                interval: 30s
                max_batch_size_bytes: 2_000_000
                send_native_histograms: true
                resource_to_telemetry_conversion:
                  enabled: false
                promote_resource_attributes: [service.namespace]
                target_info:
                  enabled: true
                stale_after: 2m
                max_series_per_metric: 50000
                remote_write_queue:
                  enabled: true
                  queue_size: 2000
                  num_consumers: 2
                retry_on_failure:
                  enabled: true
                  initial_interval: 100ms
                  max_interval: 10s
                  max_elapsed_time: 10m
                  multiplier: 2.0
                auth:
                  authenticator: basicauth/mimir
                tls:
                  insecure: true
              prometheusremotewrite/vm:
                endpoint: http://victoria:8428/api/v1/write
                auth:
                  authenticator: bearertokenauth/vm
              prometheus:
                endpoint: 0.0.0.0:9464
                namespace: gw
                const_labels:
                  gateway: edge
                translation: underscore_escaping
                add_metric_suffixes: false
                resource_to_telemetry_conversion:
                  enabled: true
                target_info:
                  enabled: false
                metric_expiration: 10m
                max_series_per_metric: 1000
                enable_open_metrics: true
            extensions:
              health_check:
              basicauth/mimir:
                client_auth:
                  username: ${env:MIMIR_USER}
                  password: ${env:MIMIR_PASSWORD}
              bearertokenauth/vm:
                token: ${env:VM_TOKEN}
              bearertokenauth/file:
                scheme: Token
                filename: /run/secrets/token
            service:
              extensions: [health_check, basicauth/mimir, bearertokenauth/vm]
              pipelines:
                metrics:
                  receivers: [otlp]
                  processors: [batch]
                  exporters: [prometheusremotewrite/mimir, prometheusremotewrite/vm, prometheus]
            """
        let config = try GatewayConfiguration.parse(
            yaml: yaml,
            environment: [
                "TENANT": "team-a", "MIMIR_USER": "gateway", "MIMIR_PASSWORD": "pa$$word", "VM_TOKEN": "tok-123",
            ])

        let mimir = ComponentID(type: "prometheusremotewrite", name: "mimir")
        let vm = ComponentID(type: "prometheusremotewrite", name: "vm")
        let prometheus = ComponentID(type: "prometheus")
        let basicAuth = ComponentID(type: "basicauth", name: "mimir")
        let bearer = ComponentID(type: "bearertokenauth", name: "vm")
        let bearerFile = ComponentID(type: "bearertokenauth", name: "file")
        let healthCheck = ComponentID(type: "health_check")

        #expect(
            equal(
                config.exporters,
                [
                    mimir: PrometheusRemoteWriteExporterConfig(
                        endpoint: "http://mimir.monitoring:9009/api/v1/push",
                        headers: ["X-Scope-OrgID": "team-a"],
                        externalLabels: ["cluster": "dev"],
                        namespace: "otel",
                        translation: .underscoreEscaping,
                        timeout: .seconds(10),
                        interval: .seconds(30),
                        maxBatchSizeBytes: 2_000_000,
                        sendNativeHistograms: true,
                        resourceToTelemetryConversionEnabled: false,
                        promoteResourceAttributes: ["service.namespace"],
                        targetInfoEnabled: true,
                        staleAfter: .seconds(120),
                        maxSeriesPerMetric: 50_000,
                        remoteWriteQueue: RemoteWriteQueueConfig(enabled: true, queueSize: 2000, numConsumers: 2),
                        retryOnFailure: RetryOnFailureConfig(
                            enabled: true, initialInterval: .milliseconds(100), maxInterval: .seconds(10),
                            maxElapsedTime: .seconds(600), multiplier: 2),
                        authenticator: basicAuth,
                        tls: ClientTLSConfig(insecure: true)
                    ),
                    vm: PrometheusRemoteWriteExporterConfig(
                        endpoint: "http://victoria:8428/api/v1/write", authenticator: bearer),
                    prometheus: PrometheusExporterConfig(
                        endpoint: "0.0.0.0:9464", namespace: "gw", constLabels: ["gateway": "edge"],
                        translation: .underscoreEscaping, addMetricSuffixes: false,
                        resourceToTelemetryConversionEnabled: true, promoteResourceAttributes: [],
                        targetInfoEnabled: false, metricExpiration: .seconds(600), maxSeriesPerMetric: 1000,
                        enableOpenMetrics: true),
                ]))
        #expect(
            equal(
                config.extensions,
                [
                    healthCheck: HealthCheckConfig(),
                    basicAuth: BasicAuthConfig(username: "gateway", password: "pa$$word"),
                    bearer: BearerTokenAuthConfig(token: "tok-123"),
                    bearerFile: BearerTokenAuthConfig(scheme: "Token", filename: "/run/secrets/token"),
                ]))
        #expect(config.service.extensions == [healthCheck, basicAuth, bearer])
        #expect(
            config.service.pipelines == [
                PipelineID(signal: .metrics): PipelineConfig(
                    receivers: [ComponentID(type: "otlp")], processors: [ComponentID(type: "batch")],
                    exporters: [mimir, vm, prometheus])
            ])
    }

    @Test func endpointFieldsOfALoadedConfig() throws {
        let config = try GatewayConfiguration.parse(
            yaml: document(exporters: "debug:\nprometheusremotewrite:\n  endpoint: ${env:PRW_URL}"),
            environment: ["PRW_URL": "http://prometheus:9090/api/v1/write"])
        guard
            let prw = config.exporters[ComponentID(type: "prometheusremotewrite")]
                as? PrometheusRemoteWriteExporterConfig
        else {
            Issue.record("no prometheusremotewrite exporter")
            return
        }
        #expect(prw.scheme == "http")
        #expect(prw.host == "prometheus")
        #expect(prw.port == 9090)
        #expect(prw.path == "/api/v1/write")
    }

    @Test func everyProblemOfAMigratedCollectorConfigAtOnce() {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
            exporters:
              prometheusremotewrite:
                endpoint: https://mimir.example.com/api/v1/push
                headers:
                  Content-Type: application/json
                translation_strategy: NoUTF8EscapingWithSuffixes
                retry_on_failure:
                  initial_interval: 1m
                auth:
                  authenticator: basicauth/a
                tls:
                  ca_file: /etc/ssl/ca.pem
                  cert_file: /etc/ssl/client.pem
                wal:
                  directory: /var/lib/prw
              prometheus:
                endpoint: localhost
            extensions:
              basicauth/a:
                client_auth:
                  username: ${env:USER_NAME}
                  password: ${env:PASSWORD}
              bearertokenauth:
            service:
              pipelines:
                metrics:
                  receivers: [otlp]
                  exporters: [prometheusremotewrite, prometheus]
            """
        #expect(
            problems(yaml, environment: ["USER_NAME": "u"]) == [
                "exporters.prometheusremotewrite.headers.Content-Type: is set by the exporter and cannot be overridden (reserved: Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, User-Agent)",
                #"exporters.prometheusremotewrite.translation_strategy: expected one of UnderscoreEscapingWithSuffixes, NoTranslation, got "NoUTF8EscapingWithSuffixes""#,
                "exporters.prometheusremotewrite.retry_on_failure.max_interval: must be at least initial_interval (1m), got 30s",
                #"exporters.prometheusremotewrite.auth.authenticator: extension "basicauth/a" must also be listed in service.extensions"#,
                "exporters.prometheusremotewrite.tls.cert_file: needs key_file (the private key of the client certificate)",
                "exporters.prometheusremotewrite.wal: unknown key",
                #"exporters.prometheus.endpoint: expected host:port, got "localhost""#,
                "extensions.basicauth/a.client_auth.password: must not be empty (${env:PASSWORD} is not set)",
                "extensions.bearertokenauth: needs token or filename",
            ])
    }
}
