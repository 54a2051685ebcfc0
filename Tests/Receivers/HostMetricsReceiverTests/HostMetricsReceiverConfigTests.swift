import ComponentKit
import ConfigTestSupport
import GatewayConfig
import HostMetricsReceiver
import Testing

@Suite struct HostMetricsReceiverConfigTests {
    static let pipeline = "pipelines:\n  metrics:\n    receivers: [hostmetrics]\n    exporters: [debug]"

    func config(_ body: String) throws -> HostMetricsReceiverConfig {
        let yaml = document(
            receivers: "hostmetrics:\n" + body.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"),
            service: Self.pipeline)
        let parsed = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        guard let h = parsed.receivers[ComponentID(type: "hostmetrics")] as? HostMetricsReceiverConfig else {
            Issue.record("no hostmetrics receiver")
            return HostMetricsReceiverConfig()
        }
        return h
    }

    @Test func collectorShapedConfigWithEveryKey() throws {
        let h = try config(
            """
            collection_interval: 30s
            root_path: /hostfs
            scrapers:
              cpu:
                metrics:
                  system.cpu.utilization: {enabled: true}
                  system.cpu.time: {enabled: false}
              memory: {}
              load:
              gpu: {nvml_library: /opt/nvidia/libnvidia-ml.so.1, amd_smi_library: ""}
            """)
        #expect(
            h
                == HostMetricsReceiverConfig(
                    collectionInterval: .seconds(30), rootPath: "/hostfs", scrapers: [.cpu, .memory, .load, .gpu],
                    disabledMetrics: ["system.cpu.time"], nvmlLibrary: "/opt/nvidia/libnvidia-ml.so.1",
                    amdSMILibrary: ""))
    }

    @Test func defaultsWhenOnlyScrapersAreNamed() throws {
        let h = try config("scrapers: {process: {}}")
        #expect(h.collectionInterval == .seconds(10))
        #expect(h.scrapers == [.process])
        #expect(h.nvmlLibrary == "libnvidia-ml.so.1" && h.amdSMILibrary == "libamd_smi.so")
        #expect(h.rootPath.isEmpty && h.disabledMetrics.isEmpty)
    }

    @Test func problemsNameTheirKeys() {
        let yaml = document(
            receivers: """
                hostmetrics:
                  root_path: relative
                  collection_interval: 0s
                  scrapers:
                    disk: {}
                    cpus: {}
                    memory: {metrics: {system.cpu.time: {enabled: false}}}
                    gpu: {driver: x}
                hostmetrics/empty:
                  collection_interval: 1s
                """,
            service: "pipelines:\n  metrics:\n    receivers: [hostmetrics, hostmetrics/empty]\n    exporters: [debug]")
        #expect(
            problems(yaml) == [
                "receivers.hostmetrics.scrapers.disk: the Collector's disk scraper is not implemented by otlp-gateway (it has: cpu, memory, load, process, gpu)",
                "receivers.hostmetrics.scrapers.cpus: unknown scraper (supported: cpu, memory, load, process, gpu)",
                "receivers.hostmetrics.scrapers.memory.metrics.system.cpu.time: not a metric of the memory scraper (it has: system.memory.usage, system.memory.utilization, system.memory.limit)",
                "receivers.hostmetrics.scrapers.gpu.driver: unknown key",
                "receivers.hostmetrics.collection_interval: must be greater than 0",
                "receivers.hostmetrics.root_path: must be an absolute path, got relative",
                "receivers.hostmetrics/empty.scrapers: must name at least one scraper (cpu, memory, load, process, gpu)",
            ])
    }

    @Test func producesMetricsOnly() {
        let yaml = document(
            receivers: "hostmetrics:\n  scrapers: {cpu: {}}\nengine:",
            service: """
                pipelines:
                  traces:
                    receivers: [hostmetrics, engine]
                    exporters: [debug]
                  logs:
                    receivers: [engine]
                    exporters: [debug]
                """)
        #expect(
            problems(yaml) == [
                "service.pipelines.traces.receivers: \"hostmetrics\" produces metrics only",
                "service.pipelines.logs.receivers: \"engine\" produces metrics and traces only",
            ])
    }
}
