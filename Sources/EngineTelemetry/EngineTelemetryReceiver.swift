public import GatewayCore
public import Logging
internal import Tracing

/// Feeds what a `PipelineMetricsFactory` and a `PipelineTracer` recorded into the gateway's pipelines: every
/// `interval` it collects the metrics and drains the ended spans into the consumers.
///
/// A consumer's refusal is logged and the next interval goes on; metrics are cumulative, so a refused
/// collection loses nothing but resolution, while refused spans are lost.
public final class EngineTelemetryReceiver: Sendable {
    /// Replaces the factory's and tracer's resource on everything delivered, so both signals agree.
    public let resource: Resource
    public let metricsFactory: PipelineMetricsFactory
    public let tracer: PipelineTracer
    public let interval: Duration
    private let metrics: (any Consumer<Metrics>)?
    private let traces: (any Consumer<Traces>)?
    private let logger: Logger

    /// - Parameters:
    ///   - resource: the resource of every batch delivered.
    ///   - metrics: where metrics go; nil drops them (they are not even collected).
    ///   - traces: where spans go; nil drains and drops them, so the tracer's buffer does not fill.
    ///   - interval: time between deliveries; must be positive.
    public init(
        resource: Resource,
        metricsFactory: PipelineMetricsFactory,
        tracer: PipelineTracer,
        metrics: (any Consumer<Metrics>)?,
        traces: (any Consumer<Traces>)?,
        interval: Duration,
        logger: Logger
    ) {
        precondition(interval > .zero, "EngineTelemetryReceiver.interval must be positive, got \(interval)")
        self.resource = resource
        self.metricsFactory = metricsFactory
        self.tracer = tracer
        self.metrics = metrics
        self.traces = traces
        self.interval = interval
        self.logger = logger
    }

    /// Delivers every `interval` until the task is cancelled, then once more so nothing recorded is left behind.
    public func run() async { await run(clock: ContinuousClock()) }

    /// `run()` on `clock`.
    public func run<C: Clock>(clock: C) async where C.Duration == Duration {
        await Periodic.run(every: interval, clock: clock) { deliver() }
    }

    /// Collects and drains now and hands the results to the consumers.
    public func deliver() {
        if let traces {
            if var batch = tracer.drain() {
                for i in batch.resourceSpans.indices { batch.resourceSpans[i].resource = resource }
                do {
                    try traces.consume(batch)
                } catch {
                    logger.warning(
                        "engine spans refused",
                        metadata: ["spans": "\(batch.spanCount)", "error": "\(error)"]
                    )
                }
            }
        } else {
            _ = tracer.drain()
        }
        if let metrics {
            var batch = metricsFactory.collect(timeUnixNano: DefaultTracerClock.now.nanosecondsSinceEpoch)
            guard batch.dataPointCount > 0 else { return }
            for i in batch.resourceMetrics.indices { batch.resourceMetrics[i].resource = resource }
            do {
                try metrics.consume(batch)
            } catch {
                logger.warning(
                    "engine metrics refused",
                    metadata: ["data_points": "\(batch.dataPointCount)", "error": "\(error)"]
                )
            }
        }
    }
}
