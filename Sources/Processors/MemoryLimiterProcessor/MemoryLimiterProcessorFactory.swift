public import ComponentKit
public import GatewayCore
internal import Logging

extension MemoryLimiterProcessorConfig: ComponentConfig {}

/// `memory_limiter`: one limiter per ID, shared by every pipeline that lists it (as in the Collector), which also
/// makes those pipelines' receivers refuse before they read a request body.
public struct MemoryLimiterProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["memory_limiter"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        MemoryLimiterProcessorConfig(from: reader)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<Data>, _ context: ProcessorContext
    ) throws -> any Consumer<Data> {
        guard let m = config as? MemoryLimiterProcessorConfig else {
            throw ComponentBuildError("not a memory_limiter config")
        }
        let id = context.base.id
        if context.position > 0 {
            // The Collector only warns too: refusing late still protects memory, it just wastes the work of the
            // processors before it.
            context.base.logger.warning(
                "memory_limiter should be the first processor of a pipeline",
                metadata: [
                    "pipeline": "\(context.pipeline)", "processor": "\(id)", "position": "\(context.position + 1)",
                ])
        }
        let limiter = try context.base.shared(ObjectKey(id: id)) { try Self.limiter(m, context.base) }
        context.addAdmission(limiter.pressure)
        return MemoryLimiterProcessor<Data>(limiter: limiter, next: next, registry: context.base.registry)
    }

    /// The key of the one limiter per ID.
    struct ObjectKey: Hashable {
        let id: ComponentID
    }

    /// The limiter of `memory_limiter` `id`, with its check loop, made the first time a pipeline lists it.
    static func limiter(_ config: MemoryLimiterProcessorConfig, _ context: BuildContext) throws -> MemoryLimiter {
        let id = context.id
        var total = 0
        if config.limitMiB == 0 {
            guard let bytes = SystemMemory.totalBytes() else {
                throw ComponentBuildError(
                    "processors.\(id).limit_percentage: cannot read total memory (cgroup memory.max or /proc/meminfo)")
            }
            total = bytes
        }
        let (hard, soft) = config.limits(totalMemoryBytes: total)
        guard soft > 0 else {
            throw ComponentBuildError("processors.\(id): the limit comes to \(hard) bytes, too small to use")
        }
        let limiter = MemoryLimiter(
            name: id.description,
            settings: .init(
                checkInterval: config.checkInterval, hardLimitBytes: hard, softLimitBytes: soft,
                minReleaseIntervalWhenSoftLimited: config.minReleaseIntervalWhenSoftLimited,
                minReleaseIntervalWhenHardLimited: config.minReleaseIntervalWhenHardLimited),
            registry: context.registry, logger: context.logger)
        context.logger.info(
            "memory_limiter",
            metadata: ["processor": "\(id)", "hard_limit_mib": "\(hard >> 20)", "soft_limit_mib": "\(soft >> 20)"])
        // The first measurement now, so a gateway that starts over its limit refuses from its first request.
        limiter.check()
        context.addPart(.processors, "processors.\(id)") { await limiter.run(clock: ContinuousClock()) }
        return limiter
    }
}
