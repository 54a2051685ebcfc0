import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@testable import PrometheusReceiver

@Suite struct RelabelTests {
    static func job(_ rules: String) throws -> ScrapeJob {
        let yaml = document(
            receivers: """
                prometheus:
                  config:
                    scrape_configs:
                      - job_name: j
                        static_configs: [{targets: ["a:9100"]}]
                        relabel_configs:
                """ + "\n" + rules,
            exporters: "debug:",
            service: "pipelines:\n  metrics:\n    receivers: [prometheus]\n    exporters: [debug]")
        let config = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        let receiver = try #require(config.receivers[ComponentID(type: "prometheus")] as? PrometheusReceiverConfig)
        return try #require(receiver.jobs.first)
    }

    static func apply(_ rules: String, _ labels: [String: String]) throws -> [String: String]? {
        RelabelRule.apply(try job(rules).relabel, to: labels)
    }

    @Test func replaceKeepDropAndTheirDefaults() throws {
        let labels = ["__address__": "10.0.0.1:9100", "env": "prod", "team": "a"]
        let replaced = try Self.apply(
            """
                          - source_labels: [__address__]
                            regex: '([^:]+):\\d+'
                            target_label: host
                          - source_labels: [env, team]
                            target_label: where
                          - target_label: fixed
                            replacement: yes
            """, labels)
        #expect(replaced?["host"] == "10.0.0.1")
        #expect(replaced?["where"] == "prod;a")
        #expect(replaced?["fixed"] == "yes")
        #expect(try Self.apply("              - {source_labels: [env], regex: dev, action: keep}", labels) == nil)
        #expect(try Self.apply("              - {source_labels: [env], regex: prod, action: keep}", labels) != nil)
        // The regex is anchored: "pro" does not match "prod".
        #expect(try Self.apply("              - {source_labels: [env], regex: pro, action: drop}", labels) != nil)
        #expect(try Self.apply("              - {source_labels: [env], regex: 'pro.*', action: drop}", labels) == nil)
    }

    @Test func mapDropKeepCaseEqualAndHashmod() throws {
        let labels = [
            "__meta_kubernetes_pod_label_app": "api", "__meta_kubernetes_pod_label_tier": "web", "env": "Prod",
        ]
        let mapped = try Self.apply(
            "              - {regex: '__meta_kubernetes_pod_label_(.+)', action: labelmap}", labels)
        #expect(mapped?["app"] == "api" && mapped?["tier"] == "web")
        #expect(try Self.apply("              - {regex: '__meta_.*', action: labeldrop}", labels) == ["env": "Prod"])
        #expect(try Self.apply("              - {regex: env, action: labelkeep}", labels) == ["env": "Prod"])
        #expect(
            try Self.apply("              - {source_labels: [env], target_label: env, action: lowercase}", labels)?[
                "env"] == "prod")
        #expect(
            try Self.apply("              - {source_labels: [env], target_label: copy, action: keepequal}", labels)
                == nil)
        // Prometheus: the first 8 bytes after the first 8 of md5("Prod") as a big-endian number, modulo 3.
        let hashed = try Self.apply(
            "              - {source_labels: [env], target_label: shard, modulus: 3, action: hashmod}", labels)
        #expect(hashed?["shard"] == Self.expectedShard("Prod", 3))
    }

    /// MD5 through the same steps Prometheus takes, checked against a known digest first.
    static func expectedShard(_ value: String, _ modulus: UInt64) -> String {
        let digest = MD5.digest(Array(value.utf8))
        var n: UInt64 = 0
        for byte in digest[8..<16] { n = n << 8 | UInt64(byte) }
        return String(n % modulus)
    }

    @Test func md5KnownDigests() {
        func hex(_ s: String) -> String {
            MD5.digest(Array(s.utf8)).map {
                String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
            }.joined()
        }
        #expect(hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex("The quick brown fox jumps over the lazy dog") == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(hex(String(repeating: "a", count: 100)) == "36a92cc94a9e0fa21f625f8bfb007adf")
    }

    @Test func configProblems() {
        let yaml = document(
            receivers: """
                prometheus:
                  config:
                    scrape_configs:
                      - job_name: j
                        scrape_interval: 5s
                        scrape_timeout: 10s
                        static_configs: [{targets: ["nohost"]}]
                        relabel_configs:
                          - {action: hashmod, source_labels: [a]}
                          - {action: explode}
                          - {regex: '(', source_labels: [a]}
                      - job_name: j
                        body_size_limit: lots
                """,
            exporters: "debug:",
            service: "pipelines:\n  metrics:\n    receivers: [prometheus]\n    exporters: [debug]")
        #expect(
            problems(yaml) == [
                "receivers.prometheus.config.scrape_configs[0].scrape_timeout: must not exceed scrape_interval (5.0 seconds)",
                #"receivers.prometheus.config.scrape_configs[0].static_configs[0].targets: expected host:port, got "nohost""#,
                "receivers.prometheus.config.scrape_configs[0].relabel_configs[0].target_label: required by action hashmod",
                "receivers.prometheus.config.scrape_configs[0].relabel_configs[0].modulus: required by action hashmod: at least 1",
                #"receivers.prometheus.config.scrape_configs[0].relabel_configs[1].action: unknown action "explode"; expected one of replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase"#,
                "receivers.prometheus.config.scrape_configs[0].relabel_configs[2].regex: invalid regular expression \"(\": "
                    + Self.regexError("^(?:()$"),
                #"receivers.prometheus.config.scrape_configs[1].body_size_limit: expected a size like 10MB, got "lots""#,
                #"receivers.prometheus.config.scrape_configs[1].job_name: "j" is used twice"#,
            ])
    }

    static func regexError(_ pattern: String) -> String {
        do {
            _ = try Regex(pattern)
            return ""
        } catch { return "\(error)" }
    }
}
