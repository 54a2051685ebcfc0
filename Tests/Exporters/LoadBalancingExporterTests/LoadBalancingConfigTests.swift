import ConfigTestSupport
import Testing

@Suite struct LoadBalancingConfigTests {
    func lb(_ body: String, pipeline: String = "traces") -> [String] {
        problems(
            document(
                exporters: "loadbalancing:\n"
                    + body.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
                    .joined(separator: "\n"),
                service: "pipelines:\n  \(pipeline):\n    receivers: [otlp]\n    exporters: [loadbalancing]"))
    }

    @Test func collectorExamplesAreAccepted() {
        #expect(
            lb(
                "routing_key: traceID\nprotocol:\n  otlp:\n    timeout: 1s\n    tls:\n      insecure: true\n"
                    + "resolver:\n  static:\n    hostnames: [backend-1:4317, backend-2]") == [])
        #expect(
            lb(
                "protocol:\n  otlp:\n    tls:\n      insecure: true\nresolver:\n  dns:\n    hostname: gw.svc\n    port: 4317\n"
                    + "    interval: 5s\n    timeout: 1s") == [])
        #expect(
            lb(
                "routing_key: streamID\nprotocol:\n  otlp: {}\nresolver:\n  static:\n    hostnames: [a:1]",
                pipeline: "metrics")
                == [])
    }

    @Test func problemsAreNamed() {
        #expect(
            lb("resolver:\n  static:\n    hostnames: [a:1]\nrouting_key: trace") == [
                #"exporters.loadbalancing.routing_key: unknown routing key "trace"; expected one of traceID, service, resource, metric, streamID"#
            ])
        #expect(
            lb("protocol:\n  otlp:\n    compression: lz4\nresolver:\n  static:\n    hostnames: [a:1]").contains {
                $0.hasPrefix("exporters.loadbalancing.protocol.otlp.compression:")
            })
        #expect(lb("resolver:\n  static:\n    hostnames: []").contains { $0.contains("at least one backend") })
        #expect(
            lb("resolver:\n  k8s:\n    service: x").contains { $0.contains("exporters.loadbalancing.resolver.k8s") })
        #expect(lb("protocol:\n  otlp: {}").contains { $0.hasPrefix("exporters.loadbalancing.resolver: required") })
        #expect(
            lb("routing_key: metric\nresolver:\n  static:\n    hostnames: [a:1]").contains {
                $0.contains("cannot route traces by routing_key metric")
            })
    }
}
