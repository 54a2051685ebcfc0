public import Logging
public import ServiceLifecycle

/// Runs an `Engine`'s step loop, and the configured synthetic workload, as a swift-service-lifecycle `Service`.
///
/// On graceful shutdown the workload stops and the engine stops taking requests, then finishes or cancels the
/// accepted ones as `EngineConfiguration.shutdownBehavior` says; `run()` returns when that is done. Cancellation
/// cancels every live request and returns at once. With `enabled: false` it does nothing until shutdown.
public struct EngineService: Service {
    public let engine: Engine
    private let clock: any Clock<Duration>
    private let logger: Logger

    /// - Parameters:
    ///   - clock: paces the workload's arrivals. Default `ContinuousClock`.
    public init(
        engine: Engine,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "inference-engine")
    ) {
        self.engine = engine
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        let configuration = engine.configuration
        guard configuration.enabled else {
            logger.debug("inference engine disabled")
            try? await gracefulShutdown()
            return
        }
        let engine = self.engine
        let clock = self.clock
        let logger = self.logger
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await engine.run()
                    return true
                }
                if configuration.workload.requestsPerSecond > 0 {
                    group.addTask {
                        await WorkloadDriver.run(
                            engine: engine,
                            generator: WorkloadGenerator(engineConfiguration: configuration),
                            clock: clock,
                            logger: logger
                        )
                        return false
                    }
                }
                // When the engine's loop ends, stop the workload even if it is between arrivals.
                for await engineEnded in group where engineEnded {
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            engine.shutdown(configuration.shutdownBehavior)
        }
    }
}
