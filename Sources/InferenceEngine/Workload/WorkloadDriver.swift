internal import Logging

/// Submits a `WorkloadGenerator`'s requests to an engine at their arrival times (open loop: arrivals do not wait
/// for earlier requests, as real clients do not), until the engine stops accepting or the task is cancelled.
enum WorkloadDriver {
    static func run<C: Clock>(
        engine: Engine,
        generator: WorkloadGenerator,
        clock: C,
        logger: Logger
    ) async where C.Duration == Duration {
        var generator = generator
        var submitted = 0
        logger.info(
            "synthetic workload started",
            metadata: [
                "requests_per_second": "\(generator.configuration.requestsPerSecond)",
                "prompt_length_median": "\(generator.configuration.promptLengthMedian)",
                "output_length_median": "\(generator.configuration.outputLengthMedian)",
            ]
        )
        // Absolute deadlines, so time spent submitting does not slow the arrival rate down.
        var next = clock.now
        while engine.isAccepting {
            next = next.advanced(by: generator.nextInterarrival())
            do {
                try await clock.sleep(until: next, tolerance: nil)
            } catch {
                break
            }
            guard engine.isAccepting else { break }
            engine.enqueue(generator.nextRequest(), sink: RequestSink(tokens: nil, completion: nil))
            submitted += 1
        }
        logger.info("synthetic workload stopped", metadata: ["submitted": "\(submitted)"])
    }
}
