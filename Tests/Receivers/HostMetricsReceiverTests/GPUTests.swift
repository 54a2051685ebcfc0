import GatewayCore
import Logging
import SelfTelemetry
import TestSupport
import Testing

@testable import HostMetricsReceiver

/// The GPU path through a real `dlopen` of a fake NVML library built from `Fixtures/fake_nvml.c`.
@Suite(.timeLimit(.minutes(1))) struct GPUTests {
    @Test func nvmlReadingsAreMappedToSemanticConventionUnits() throws {
        let source = try NVMLSource(library: try FakeNVML.build())
        #expect(source.driverVersion == "999.99-fake")
        let (readings, failures) = source.read()
        #expect(failures == 0)
        #expect(readings.count == 2)
        let gib: UInt64 = 1 << 30
        #expect(readings[0].id == "GPU-00000000-0000-0000-0000-000000000000")
        #expect(readings[0].name == "Fake GPU 0")
        #expect(readings[0].vendor == "nvidia")
        #expect((0.37...0.86).contains(readings[0].utilization ?? -1))
        #expect(readings[0].memoryUsedBytes == 10 * gib)
        #expect(readings[0].memoryTotalBytes == 80 * gib)
        #expect(readings[0].temperatureCelsius == 61)
        #expect(readings[0].powerWatts == 250.5)
        #expect(readings[1].utilization == 0.91)
        #expect(readings[1].temperatureCelsius == nil)  // NOT_SUPPORTED on this board
        #expect(readings[1].powerWatts == 650)
        source.shutdown()
    }

    @Test func receiverDeliversGPUMetricsPerDevice() throws {
        let library = try FakeNVML.build()
        let consumer = RecordingConsumer<Metrics>()
        let log = CapturedLog()
        let registry = TelemetryRegistry()
        let receiver = HostMetricsReceiver(
            name: "hostmetrics",
            settings: HostMetricsSettings(
                cpu: false, memory: false, load: false, process: false, gpuLibraries: [.nvml(path: library)]),
            interval: .seconds(1), consumer: consumer, registry: registry, logger: log.logger)
        let metrics = receiver.collect()
        let gpu0 = ["hw.id": "GPU-00000000-0000-0000-0000-000000000000", "hw.vendor": "nvidia", "hw.type": "gpu"]
        let gpu1 = ["hw.id": "GPU-00000000-0000-0000-0000-000000000001", "hw.name": "Fake GPU 1"]
        #expect(metrics.metric("hw.gpu.utilization")?.value(where: gpu1) == 0.91)
        #expect(metrics.metric("hw.gpu.utilization")?.unit == "1")
        #expect(metrics.metric("hw.gpu.memory.usage")?.value(where: gpu1) == Double(76 << 30))
        #expect(metrics.metric("hw.gpu.memory.limit")?.value(where: gpu0) == Double(80 << 30))
        #expect(metrics.metric("hw.gpu.memory.utilization")?.value(where: gpu1) == 0.95)
        #expect(metrics.metric("hw.temperature")?.value(where: gpu0) == 61)
        #expect(metrics.metric("hw.temperature")?.value(where: gpu1) == nil)
        #expect(metrics.metric("hw.temperature")?.unit == "Cel")
        #expect(metrics.metric("hw.power")?.value(where: gpu0) == 250.5)
        #expect(metrics.metric("hw.power")?.unit == "W")
        #expect(consumer.received.count == 1)
        #expect(
            registry.value(
                "otelcol_receiver_accepted_metric_points_total", labels: ["receiver": "hostmetrics", "transport": ""])
                == Double(metrics.dataPointCount))
        #expect(log.messages.filter { $0.hasPrefix("GPU metrics on") }.count == 1)
        #expect(log.messages.contains { $0.contains("devices=2") && $0.contains("vendor=nvidia") })
    }

    @Test func noDriverIsOneLogLineAndHostMetricsGoOn() throws {
        let consumer = RecordingConsumer<Metrics>()
        let log = CapturedLog()
        let failingInit = try FakeNVML.build(defines: ["FAKE_NVML_INIT_FAILS"])
        let receiver = HostMetricsReceiver(
            name: "hostmetrics",
            settings: HostMetricsSettings(gpuLibraries: [
                .nvml(path: "/nonexistent/libnvidia-ml.so.1"), .nvml(path: failingInit),
                .amdSMI(path: "libamd_smi-not-here.so"),
            ]),
            interval: .seconds(1), consumer: consumer, registry: TelemetryRegistry(), logger: log.logger)
        for _ in 0..<3 { receiver.collect() }
        #expect(consumer.received.count == 3)
        let names = Set(consumer.received.flatMap { $0.allMetrics.map(\.name) })
        #expect(
            names.isSuperset(of: [
                "system.cpu.time", "system.memory.usage", "system.cpu.load_average.1m", "process.cpu.time",
            ]))
        #expect(!names.contains { $0.hasPrefix("hw.") })
        #expect(log.messages.count == 1)
        let line = try #require(log.messages.first)
        #expect(line.hasPrefix("no GPU driver found"))
        #expect(line.contains("Driver Not Loaded"))  // the failing init's own NVML message
        #expect(line.contains("/nonexistent/libnvidia-ml.so.1"))
    }

    @Test func refusedScrapesAreCounted() {
        let consumer = RecordingConsumer<Metrics>(refusing: true)
        let registry = TelemetryRegistry()
        let receiver = HostMetricsReceiver(
            name: "hostmetrics/2", settings: HostMetricsSettings(cpu: false, load: false, process: false),
            interval: .seconds(1), consumer: consumer, registry: registry, logger: CapturedLog().logger)
        let metrics = receiver.collect()
        #expect(metrics.dataPointCount > 0)
        #expect(
            registry.value(
                "otelcol_receiver_refused_metric_points_total", labels: ["receiver": "hostmetrics/2", "transport": ""])
                == Double(metrics.dataPointCount))
        #expect(
            registry.value(
                "otelcol_receiver_accepted_metric_points_total", labels: ["receiver": "hostmetrics/2", "transport": ""])
                == 0)
    }
}
