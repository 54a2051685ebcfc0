import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import SpanMetricsConnector
import Testing

@Suite struct SpanMetricsConnectorConfigTests {
    /// Traces into `spanmetrics`, its metrics out to `debug`.
    private static let service = """
        pipelines:
          traces:
            receivers: [otlp]
            exporters: [spanmetrics]
          metrics:
            receivers: [spanmetrics]
            exporters: [debug]
        """

    private func connector(_ body: String, environment: [String: String] = [:]) throws -> SpanMetricsConnectorConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(connectors: "spanmetrics:\n" + body, service: Self.service), environment: environment)
        guard let connector = config.connectors[ComponentID(type: "spanmetrics")] as? SpanMetricsConnectorConfig else {
            Issue.record("no spanmetrics connector")
            return SpanMetricsConnectorConfig()
        }
        return connector
    }

    private func problemsWith(_ body: String) -> [String] {
        problems(document(connectors: "spanmetrics:\n" + body, service: Self.service))
    }

    @Test func defaults() throws {
        let config = SpanMetricsConnectorConfig()
        #expect(
            config.histogramBuckets == [
                .milliseconds(2), .milliseconds(4), .milliseconds(6), .milliseconds(8), .milliseconds(10),
                .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                .seconds(1), .milliseconds(1400), .seconds(2), .seconds(5), .seconds(10), .seconds(15),
            ])
        #expect(config.histogramBuckets == SpanMetricsConnectorConfig.defaultHistogramBuckets)
        #expect(config.histogramUnit == .ms)
        #expect(config.dimensions.isEmpty)
        #expect(config.exemplarsEnabled == false)
        #expect(config.metricsFlushInterval == .seconds(15))
        #expect(config.metricsExpiration == .zero)
        #expect(config.namespace == "traces.spanmetrics")
        #expect(config.aggregationTemporality == .cumulative)
        #expect(config.aggregationTemporality.rawValue == "AGGREGATION_TEMPORALITY_CUMULATIVE")
        #expect(config.dimensionsCacheSize == 1000)
        #expect(config.maxSeries == 20_000)
        #expect(
            SpanMetricsConnectorConfig.builtInDimensions == ["service.name", "span.name", "span.kind", "status.code"])
        #expect(try connector("") == config)
        #expect(try connector("  histogram:\n  dimensions:\n  exemplars:\n  namespace:") == config)
        #expect(try connector("  histogram:\n    explicit:\n    unit:") == config)
        #expect(try connector("  histogram:\n    explicit:\n      buckets:") == config)
    }

    @Test func readsEveryKey() throws {
        let config = try connector(
            """
              histogram:
                unit: S
                explicit:
                  buckets: [100us, 1ms, 10ms, 100ms, 1s, 1m30s]
              dimensions:
                - name: http.method
                  default: GET
                - name: http.status_code
                - {name: deployment.environment, default: ""}
              exemplars:
                enabled: true
              metrics_flush_interval: 30s
              metrics_expiration: 5m
              namespace: my_app.spans
              aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA
              dimensions_cache_size: 500
              max_series: 1
            """)
        #expect(
            config
                == SpanMetricsConnectorConfig(
                    histogramBuckets: [
                        .microseconds(100), .milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1),
                        .seconds(90),
                    ],
                    histogramUnit: .s,
                    dimensions: [
                        .init(name: "http.method", defaultValue: "GET"),
                        .init(name: "http.status_code"),
                        .init(name: "deployment.environment", defaultValue: ""),
                    ],
                    exemplarsEnabled: true,
                    metricsFlushInterval: .seconds(30),
                    metricsExpiration: .seconds(300),
                    namespace: "my_app.spans",
                    aggregationTemporality: .delta,
                    dimensionsCacheSize: 500,
                    maxSeries: 1
                ))
        #expect(try connector("  namespace: \"\"").namespace == "")
        #expect(try connector("  namespace: ${env:NS:-traces.spanmetrics}").namespace == "traces.spanmetrics")
        #expect(try connector("  namespace: ${env:NS}", environment: ["NS": "tempo"]).namespace == "tempo")
    }

    @Test func bucketProblems() {
        #expect(
            problemsWith("  histogram:\n    explicit:\n      buckets: [2ms, 5, fast, {a: 1}, 0s, 10ms, 10ms, 4ms, -1s]")
                == [
                    #"connectors.spanmetrics.histogram.explicit.buckets[1]: expected a duration like 200ms or 5s, got "5" (a bare number has no unit)"#,
                    #"connectors.spanmetrics.histogram.explicit.buckets[2]: expected a duration like 200ms or 5s, got "fast""#,
                    "connectors.spanmetrics.histogram.explicit.buckets[3]: expected a duration like 200ms or 5s, got a mapping",
                    #"connectors.spanmetrics.histogram.explicit.buckets[8]: must not be negative, got "-1s""#,
                    "connectors.spanmetrics.histogram.explicit.buckets[4]: must be greater than 0",
                    "connectors.spanmetrics.histogram.explicit.buckets[6]: must be greater than the bucket before it (10ms), got 10ms",
                    "connectors.spanmetrics.histogram.explicit.buckets[7]: must be greater than the bucket before it (10ms), got 4ms",
                ])
        #expect(
            problemsWith("  histogram:\n    explicit:\n      buckets: []") == [
                "connectors.spanmetrics.histogram.explicit.buckets: must list at least one bucket"
            ])
        #expect(
            problemsWith("  histogram:\n    explicit:\n      buckets: 2ms") == [
                #"connectors.spanmetrics.histogram.explicit.buckets: expected a list of durations like [2ms, 1s], got "2ms""#
            ])
    }

    @Test func histogramProblems() {
        #expect(
            problemsWith(
                """
                  histogram:
                    unit: us
                    exponential:
                      max_size: 160
                    disable: true
                """) == [
                    #"connectors.spanmetrics.histogram.unit: expected one of ms, s, got "us""#,
                    "connectors.spanmetrics.histogram.exponential: exponential histograms are not supported yet; use explicit",
                    "connectors.spanmetrics.histogram.disable: unknown key",
                ])
        #expect(
            problemsWith("  histogram: [1ms]\n  exemplars: true") == [
                "connectors.spanmetrics.histogram: expected a mapping, got a list",
                #"connectors.spanmetrics.exemplars: expected a mapping, got "true""#,
            ])
    }

    @Test func dimensionProblems() {
        #expect(
            problemsWith(
                """
                  dimensions:
                    - name: http.method
                    - http.route
                    - default: x
                    - name: ""
                    - name: span.kind
                    - name: service.name
                    - name: http.method
                      default: [a]
                    - name: {a: 1}
                    - name: db.system
                      defualt: x
                """) == [
                    #"connectors.spanmetrics.dimensions[1]: expected a mapping like {name: http.method}, got "http.route""#,
                    "connectors.spanmetrics.dimensions[2].name: required: the attribute to split series by",
                    "connectors.spanmetrics.dimensions[3].name: must not be empty",
                    #"connectors.spanmetrics.dimensions[4].name: "span.kind" is a dimension of every series already (service.name, span.name, span.kind, status.code)"#,
                    #"connectors.spanmetrics.dimensions[5].name: "service.name" is a dimension of every series already (service.name, span.name, span.kind, status.code)"#,
                    "connectors.spanmetrics.dimensions[6].default: expected a string, got a list",
                    #"connectors.spanmetrics.dimensions[6].name: "http.method" is listed more than once"#,
                    "connectors.spanmetrics.dimensions[7].name: expected a string, got a mapping",
                    "connectors.spanmetrics.dimensions[8].defualt: unknown key",
                ])
        #expect(
            problemsWith("  dimensions: {name: a}") == [
                "connectors.spanmetrics.dimensions: expected a list of {name, default}, got a mapping"
            ])
    }

    @Test func scalarProblems() {
        #expect(
            problemsWith(
                """
                  exemplars:
                    enabled: yes
                    max_per_data_point: 5
                  metrics_flush_interval: 0s
                  metrics_expiration: -1m
                  namespace: 1traces
                  aggregation_temporality: cumulative
                  dimensions_cache_size: 0
                  max_series: 0
                  exclude_dimensions: [status.code]
                """) == [
                    #"connectors.spanmetrics.exemplars.enabled: expected true or false, got "yes""#,
                    "connectors.spanmetrics.exemplars.max_per_data_point: unknown key",
                    "connectors.spanmetrics.metrics_flush_interval: must be greater than 0",
                    #"connectors.spanmetrics.metrics_expiration: must not be negative, got "-1m""#,
                    #"connectors.spanmetrics.namespace: expected a name like traces.spanmetrics (letters, digits, _ . - /, starting with a letter), got "1traces""#,
                    #"connectors.spanmetrics.aggregation_temporality: expected one of AGGREGATION_TEMPORALITY_CUMULATIVE, AGGREGATION_TEMPORALITY_DELTA, got "cumulative""#,
                    "connectors.spanmetrics.dimensions_cache_size: must be at least 1, got 0",
                    "connectors.spanmetrics.max_series: must be at least 1, got 0",
                    "connectors.spanmetrics.exclude_dimensions: unknown key",
                ])
        #expect(
            problemsWith("  namespace: \"traces spanmetrics\"") == [
                #"connectors.spanmetrics.namespace: expected a name like traces.spanmetrics (letters, digits, _ . - /, starting with a letter), got "traces spanmetrics""#
            ])
    }
}
