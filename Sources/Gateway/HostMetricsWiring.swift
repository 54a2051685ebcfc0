internal import GatewayConfig
internal import GatewayCore
internal import HostMetricsReceiver
internal import Logging
internal import SelfTelemetry

/// Runs the `hostmetrics` receiver as a loop feeding the metrics pipelines that list it.
enum HostMetricsWiring {
    static func settings(_ c: HostMetricsReceiverConfig) -> HostMetricsSettings {
        var libraries: [HostMetricsSettings.GPULibrary] = []
        if c.scrapers.contains(.gpu) {
            if !c.nvmlLibrary.isEmpty { libraries.append(.nvml(path: c.nvmlLibrary)) }
            if !c.amdSMILibrary.isEmpty { libraries.append(.amdSMI(path: c.amdSMILibrary)) }
        }
        return HostMetricsSettings(
            cpu: c.scrapers.contains(.cpu), memory: c.scrapers.contains(.memory), load: c.scrapers.contains(.load),
            process: c.scrapers.contains(.process), gpuLibraries: libraries, rootPath: c.rootPath,
            disabledMetrics: c.disabledMetrics)
    }

    static func loops(
        _ id: ComponentID, _ c: HostMetricsReceiverConfig, metrics: (any Consumer<Metrics>)?,
        registry: TelemetryRegistry,
        logger: Logger
    ) -> [@Sendable () async -> Void] {
        guard let metrics else { return [] }
        let receiver = HostMetricsReceiver(
            name: id.description, settings: settings(c), interval: c.collectionInterval, consumer: metrics,
            registry: registry, logger: logger)
        return [{ await receiver.run() }]
    }
}
