import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import MemoryTraceExporter
import OTLPExporter
import PrometheusExporter
import SpanMetricsConnector
import Testing

/// Whole documents with the OTLP exporters, the memory exporter and the spanmetrics connector, as users
/// write them.
@Suite struct TracesConfigurationTests {
    @Test func tracesToTempoWithREDMetrics() throws {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
                  http:
            processors:
              batch:
            exporters:
              otlp/tempo:
                endpoint: ${env:TEMPO_ENDPOINT:-tempo:4317}
                tls:
                  insecure: true
                headers:
                  X-Scope-OrgID: ${env:TENANT}
                compression: gzip
                timeout: 10s
                sending_queue:
                  enabled: true
                  num_consumers: 4
                  queue_size: 5000
                retry_on_failure:
                  enabled: true
                  initial_interval: 1s
                  max_interval: 10s
                  max_elapsed_time: 2m
                  multiplier: 2
                auth:
                  authenticator: bearertokenauth/tempo
              otlp_grpc/peer:
                endpoint: http://collector.peer:4317
                compression: none
              otlp_http/loki:
                endpoint: http://loki:3100/otlp
                encoding: json
                headers:
                  X-Scope-OrgID: ${env:TENANT}
                auth:
                  authenticator: basicauth/loki
              otlphttp/mimir:
                metrics_endpoint: http://mimir:9009/otlp/v1/metrics
                timeout: 5s
              memory:
                endpoint: 0.0.0.0:3200
                max_bytes: 134217728
              prometheus:
                endpoint: 0.0.0.0:9464
            connectors:
              spanmetrics:
                histogram:
                  unit: s
                  explicit:
                    buckets: [5ms, 50ms, 500ms, 5s]
                dimensions:
                  - name: http.route
                  - name: deployment.environment
                    default: ${env:ENVIRONMENT:-dev}
                exemplars:
                  enabled: true
                metrics_flush_interval: 10s
                metrics_expiration: 10m
                aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
                dimensions_cache_size: 2000
                max_series: 5000
            extensions:
              bearertokenauth/tempo:
                token: ${env:TEMPO_TOKEN}
              basicauth/loki:
                client_auth:
                  username: gateway
                  password: ${env:LOKI_PASSWORD}
            service:
              extensions: [bearertokenauth/tempo, basicauth/loki]
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [batch]
                  exporters: [otlp/tempo, otlp_grpc/peer, memory, spanmetrics]
                metrics/spans:
                  receivers: [spanmetrics]
                  exporters: [prometheus, otlphttp/mimir]
                logs:
                  receivers: [otlp]
                  processors: [batch]
                  exporters: [otlp_http/loki]
            """
        let config = try GatewayConfiguration.parse(
            yaml: yaml, environment: ["TENANT": "team-a", "TEMPO_TOKEN": "tok", "LOKI_PASSWORD": "secret"])

        let tempo = ComponentID(type: "otlp", name: "tempo")
        let peer = ComponentID(type: "otlp_grpc", name: "peer")
        let loki = ComponentID(type: "otlp_http", name: "loki")
        let mimir = ComponentID(type: "otlphttp", name: "mimir")
        let memory = ComponentID(type: "memory")
        let prometheus = ComponentID(type: "prometheus")
        let spanMetrics = ComponentID(type: "spanmetrics")
        let tempoAuth = ComponentID(type: "bearertokenauth", name: "tempo")
        let lokiAuth = ComponentID(type: "basicauth", name: "loki")

        #expect(
            equal(
                config.exporters,
                [
                    tempo: OTLPExporterConfig(
                        endpoint: "tempo:4317",
                        tls: ClientTLSConfig(insecure: true),
                        headers: ["X-Scope-OrgID": "team-a"],
                        compression: .gzip,
                        timeout: .seconds(10),
                        sendingQueue: SendingQueueConfig(
                            enabled: true, numConsumers: 4, queueSize: 5000, sizer: .requests),
                        retryOnFailure: RetryOnFailureConfig(
                            enabled: true, initialInterval: .seconds(1), maxInterval: .seconds(10),
                            maxElapsedTime: .seconds(120), multiplier: 2),
                        authenticator: tempoAuth
                    ),
                    peer: OTLPExporterConfig(endpoint: "http://collector.peer:4317", compression: .none),
                    loki: OTLPHTTPExporterConfig(
                        endpoint: "http://loki:3100/otlp", encoding: .json, headers: ["X-Scope-OrgID": "team-a"],
                        authenticator: lokiAuth),
                    mimir: OTLPHTTPExporterConfig(
                        metricsEndpoint: "http://mimir:9009/otlp/v1/metrics", timeout: .seconds(5)),
                    memory: MemoryExporterConfig(endpoint: "0.0.0.0:3200", maxBytes: 134_217_728),
                    prometheus: PrometheusExporterConfig(endpoint: "0.0.0.0:9464"),
                ]))
        #expect(
            equal(
                config.connectors,
                [
                    spanMetrics: SpanMetricsConnectorConfig(
                        histogramBuckets: [.milliseconds(5), .milliseconds(50), .milliseconds(500), .seconds(5)],
                        histogramUnit: .s,
                        dimensions: [
                            .init(name: "http.route"), .init(name: "deployment.environment", defaultValue: "dev"),
                        ],
                        exemplarsEnabled: true,
                        metricsFlushInterval: .seconds(10),
                        metricsExpiration: .seconds(600),
                        aggregationTemporality: .cumulative,
                        dimensionsCacheSize: 2000,
                        maxSeries: 5000
                    )
                ]))
        #expect(
            config.service.pipelines == [
                PipelineID(signal: .traces): PipelineConfig(
                    receivers: [ComponentID(type: "otlp")], processors: [ComponentID(type: "batch")],
                    exporters: [tempo, peer, memory, spanMetrics]),
                PipelineID(signal: .metrics, name: "spans"): PipelineConfig(
                    receivers: [spanMetrics], exporters: [prometheus, mimir]),
                PipelineID(signal: .logs): PipelineConfig(
                    receivers: [ComponentID(type: "otlp")], processors: [ComponentID(type: "batch")],
                    exporters: [loki]),
            ])

        guard let tempoConfig = config.exporters[tempo] as? OTLPExporterConfig,
            let lokiConfig = config.exporters[loki] as? OTLPHTTPExporterConfig
        else {
            Issue.record("missing exporters")
            return
        }
        #expect((tempoConfig.host, tempoConfig.port) == ("tempo", 4317))
        #expect(lokiConfig.url(for: .logs)?.description == "http://loki:3100/otlp/v1/logs")
    }

    @Test func endpointFromTheEnvironment() throws {
        let config = try GatewayConfiguration.parse(
            yaml: document(
                exporters: "otlp:\n  endpoint: ${env:TEMPO}",
                service: """
                    pipelines:
                      traces:
                        receivers: [otlp]
                        exporters: [otlp]
                    """),
            environment: ["TEMPO": "http://tempo.monitoring:4317"])
        guard let otlp = config.exporters[ComponentID(type: "otlp")] as? OTLPExporterConfig else {
            Issue.record("no otlp exporter")
            return
        }
        #expect(otlp.host == "tempo.monitoring")
        #expect(otlp.port == 4317)
        #expect(
            problems(
                document(exporters: "debug:\notlp:\n  endpoint: ${env:TEMPO}"), environment: [:]) == [
                    #"exporters.otlp.endpoint: expected host:port like tempo:4317, got "" (${env:TEMPO} is not set)"#
                ])
    }

    @Test func everyProblemOfAMigratedCollectorConfigAtOnce() {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  grpc:
            exporters:
              otlp:
                endpoint: tempo.example.com:443
                headers:
                  user-agent: custom
                compression: lz4
                balancer_name: round_robin
              otlphttp:
                endpoint: https://otlp.example.com
                tls:
                  insecure: true
                encoding: protobuf
                sending_queue:
                  storage: file_storage
              memory:
            connectors:
              spanmetrics:
                histogram:
                  exponential:
                    max_size: 160
                namespace: traces.span.metrics
                aggregation_temporality: cumulative
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [otlp, otlphttp, spanmetrics]
                metrics:
                  receivers: [otlp]
                  exporters: [memory]
            """
        #expect(
            problems(yaml) == [
                "exporters.otlp.headers.user-agent: is set by the exporter and cannot be overridden (reserved: content-type, te, grpc-encoding, grpc-accept-encoding, grpc-timeout, user-agent)",
                "exporters.otlp.compression: lz4 is not a gRPC encoding; use gzip, zstd or snappy",
                "exporters.otlp.balancer_name: unknown key",
                #"exporters.otlphttp.encoding: expected one of proto, json, got "protobuf""#,
                #"exporters.otlphttp.sending_queue.storage: "file_storage" is not defined in extensions"#,
                "exporters.otlphttp.tls.insecure: cannot be true with an https:// endpoint, which means TLS; remove one of them",
                "connectors.spanmetrics.histogram.exponential: exponential histograms are not supported yet; use explicit",
                #"connectors.spanmetrics.aggregation_temporality: expected one of AGGREGATION_TEMPORALITY_CUMULATIVE, AGGREGATION_TEMPORALITY_DELTA, got "cumulative""#,
                "connectors.spanmetrics: used as exporter in service.pipelines.traces but no metrics pipeline receives from it",
                #"service.pipelines.metrics.exporters: "memory" supports traces only"#,
            ])
    }
}
