public import ComponentKit
public import GatewayCore
internal import HostMetricsReceiver
internal import Logging
internal import SelfTelemetry

extension HostMetricsReceiverConfig: ComponentConfig {
    public func signalProblem(_ signal: Signal) -> String? { signal == .metrics ? nil : "produces metrics only" }
}

/// `hostmetrics`: a loop feeding the metrics pipelines that list it.
public struct HostMetricsReceiverFactory: ReceiverFactory {
    public init() {}

    public var types: [String] { ["hostmetrics"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        HostMetricsReceiverConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: ReceiverContext) throws {
        guard let host = config as? HostMetricsReceiverConfig else {
            throw ComponentBuildError("not a hostmetrics config")
        }
        let id = context.base.id
        for loop in Self.loops(
            id, host, metrics: context.metrics, registry: context.base.registry, logger: context.base.logger)
        {
            context.base.addPart(.receivers, "receivers.\(id)", loop)
        }
    }

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
