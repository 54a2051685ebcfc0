import ComponentKit
import ConfigTestSupport
import GatewayConfig
import PrometheusExporter
import Testing

@Suite struct PrometheusExporterConfigTests {
    private func exporter(_ body: String) throws -> PrometheusExporterConfig {
        let config = try GatewayConfiguration.parse(
            yaml: document(exporters: "debug:\nprometheus:\n" + body), environment: [:])
        guard let exporter = config.exporters[ComponentID(type: "prometheus")] as? PrometheusExporterConfig else {
            Issue.record("no prometheus exporter")
            return PrometheusExporterConfig()
        }
        return exporter
    }

    private func problemsWith(_ body: String) -> [String] {
        problems(document(exporters: "debug:\nprometheus:\n" + body))
    }

    @Test func defaults() throws {
        let config = PrometheusExporterConfig()
        #expect(config.endpoint == "127.0.0.1:9464")
        #expect(config.namespace == "")
        #expect(config.constLabels.isEmpty)
        #expect(config.translation == .underscoreEscaping)
        #expect(config.addMetricSuffixes == true)
        #expect(config.resourceToTelemetryConversionEnabled == false)
        #expect(config.promoteResourceAttributes.isEmpty)
        #expect(config.targetInfoEnabled == true)
        #expect(config.metricExpiration == .seconds(300))
        #expect(config.maxSeriesPerMetric == 20_000)
        #expect(config.enableOpenMetrics == false)
        #expect(try exporter("") == config)
        #expect(try exporter("  resource_to_telemetry_conversion:\n  target_info: {}\n  const_labels:") == config)
    }

    @Test func readsEveryKey() throws {
        let config = try exporter(
            """
              endpoint: 0.0.0.0:8889
              namespace: gw
              const_labels:
                region: eu
              translation: no_translation
              add_metric_suffixes: false
              resource_to_telemetry_conversion:
                enabled: true
              target_info:
                enabled: false
              metric_expiration: 1h
              max_series_per_metric: 500
              enable_open_metrics: true
            """)
        #expect(
            config
                == PrometheusExporterConfig(
                    endpoint: "0.0.0.0:8889", namespace: "gw", constLabels: ["region": "eu"],
                    translation: .noTranslation, addMetricSuffixes: false, resourceToTelemetryConversionEnabled: true,
                    promoteResourceAttributes: [], targetInfoEnabled: false, metricExpiration: .seconds(3600),
                    maxSeriesPerMetric: 500, enableOpenMetrics: true))
        #expect(
            try exporter("  promote_resource_attributes:\n    - service.instance.id\n    - host.name")
                .promoteResourceAttributes == ["service.instance.id", "host.name"])
    }

    @Test func collectorTranslationStrategyDecidesSuffixes() throws {
        let escaping = try exporter("  translation_strategy: UnderscoreEscapingWithSuffixes")
        #expect(escaping.translation == .underscoreEscaping)
        #expect(escaping.addMetricSuffixes)
        let none = try exporter("  translation_strategy: NoTranslation")
        #expect(none.translation == .noTranslation)
        #expect(!none.addMetricSuffixes)
        #expect(try exporter("  translation_strategy: NoTranslation\n  add_metric_suffixes: false") == none)
        // Our key leaves suffixes to add_metric_suffixes.
        #expect(try exporter("  translation: no_translation").addMetricSuffixes)
        #expect(
            problemsWith("  translation_strategy: NoTranslation\n  add_metric_suffixes: true") == [
                "exporters.prometheus.add_metric_suffixes: true contradicts translation_strategy, which does not add suffixes"
            ])
        #expect(
            problemsWith("  translation_strategy: UnderscoreEscapingWithSuffixes\n  add_metric_suffixes: false") == [
                "exporters.prometheus.add_metric_suffixes: false contradicts translation_strategy, which adds suffixes"
            ])
        #expect(
            problemsWith("  translation_strategy: NoUTF8EscapingWithSuffixes\n  translation: no_translation") == [
                "exporters.prometheus.translation_strategy: cannot be combined with translation; write only one of them"
            ])
        #expect(
            problemsWith("  translation_strategy: NoUTF8EscapingWithSuffixes") == [
                #"exporters.prometheus.translation_strategy: expected one of UnderscoreEscapingWithSuffixes, NoTranslation, got "NoUTF8EscapingWithSuffixes""#
            ])
    }

    @Test func reportsProblems() {
        #expect(
            problemsWith(
                """
                  endpoint: 9464
                  namespace: 9lives
                  const_labels:
                    ok: "1"
                    bad-name: x
                  translation: utf8
                  add_metric_suffixes: "no"
                  resource_to_telemetry_conversion:
                    enabled: true
                  promote_resource_attributes: [host.name]
                  metric_expiration: 0
                  max_series_per_metric: -5
                  enable_open_metrics: 1
                  send_timestamps: true
                """) == [
                    #"exporters.prometheus.endpoint: expected host:port, got "9464""#,
                    #"exporters.prometheus.namespace: expected a name matching [a-zA-Z_][a-zA-Z0-9_]*, got "9lives""#,
                    "exporters.prometheus.const_labels.bad-name: invalid label name; expected [a-zA-Z_][a-zA-Z0-9_]*",
                    #"exporters.prometheus.translation: expected one of underscore_escaping, no_translation, got "utf8""#,
                    #"exporters.prometheus.add_metric_suffixes: expected true or false, got "no""#,
                    "exporters.prometheus.promote_resource_attributes: cannot be combined with resource_to_telemetry_conversion.enabled, which already copies every resource attribute",
                    "exporters.prometheus.metric_expiration: must be greater than 0",
                    "exporters.prometheus.max_series_per_metric: must be at least 1, got -5",
                    #"exporters.prometheus.enable_open_metrics: expected true or false, got "1""#,
                    "exporters.prometheus.send_timestamps: unknown key",
                ])
    }

    @Test func namedInstancesAreIndependent() throws {
        let config = try GatewayConfiguration.parse(
            yaml: document(exporters: "debug:\nprometheus/a:\n  endpoint: :9464\nprometheus/b:\n  endpoint: :9465"),
            environment: [:])
        #expect(
            config.exporters[ComponentID(type: "prometheus", name: "b")] as? PrometheusExporterConfig
                == PrometheusExporterConfig(endpoint: ":9465"))
    }
}
