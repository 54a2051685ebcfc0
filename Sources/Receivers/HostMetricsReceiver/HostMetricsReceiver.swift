public import GatewayCore
public import Logging
public import SelfTelemetry
internal import Synchronization

/// The `hostmetrics` receiver: CPU, memory and load of the host, this process's own CPU and memory, and GPUs
/// through their vendors' libraries loaded at run time, scraped every `interval` into a metrics pipeline.
///
/// A GPU library that is missing (no driver) or fails to initialize costs one log line at start; the other
/// scrapers go on. A scraper whose source cannot be read is counted in
/// `otelcol_scraper_errored_metric_points_total` and the rest of the scrape is still delivered.
public final class HostMetricsReceiver: Sendable {
    public let name: String
    public let settings: HostMetricsSettings
    public let interval: Duration
    private let consumer: any Consumer<Metrics>
    private let logger: Logger
    private let scraper: Mutex<HostScraper>
    private let gpu: Mutex<GPUState>
    private let accepted: TelemetryCounter
    private let refused: TelemetryCounter
    private let scrapeErrors: [String: TelemetryCounter]

    private enum GPUState {
        case notLoaded
        case loaded(any GPUSource)
        case unavailable
    }

    public init(
        name: String, settings: HostMetricsSettings, interval: Duration, consumer: any Consumer<Metrics>,
        registry: TelemetryRegistry, logger: Logger
    ) {
        precondition(interval > .zero, "HostMetricsReceiver.interval must be positive, got \(interval)")
        self.name = name
        self.settings = settings
        self.interval = interval
        self.consumer = consumer
        self.logger = logger
        scraper = Mutex(HostScraper(settings: settings))
        gpu = Mutex(.notLoaded)
        let labels = ["receiver": name, "transport": ""]
        accepted = registry.counter(
            "otelcol_receiver_accepted_metric_points_total",
            help: "Number of metric_points successfully pushed into the pipeline.", labels: labels)
        refused = registry.counter(
            "otelcol_receiver_refused_metric_points_total",
            help: "Number of metric_points that could not be pushed into the pipeline.", labels: labels)
        var errors: [String: TelemetryCounter] = [:]
        for scraperName in ["cpu", "memory", "load", "process", "gpu"] {
            errors[scraperName] = registry.counter(
                "otelcol_scraper_errored_metric_points_total",
                help: "Scrapes of a scraper that failed to read their source.",
                labels: ["receiver": name, "scraper": scraperName])
        }
        scrapeErrors = errors
    }

    /// Scrapes at once (so CPU utilization has a baseline), then every `interval` until cancelled; releases the
    /// GPU library on the way out.
    public func run() async { await run(clock: ContinuousClock()) }

    /// `run()` on `clock`.
    public func run<C: Clock>(clock: C) async where C.Duration == Duration {
        await Periodic.run(every: interval, clock: clock, options: .init(tickAtStart: true, tickAtStop: false)) {
            collect()
        }
        gpu.withLock { state in
            if case .loaded(let source) = state { source.shutdown() }
            state = .unavailable
        }
    }

    /// One scrape into the pipeline. Returns what was delivered (or refused), for tests.
    @discardableResult
    func collect(now: UInt64 = WallClock.nowUnixNano()) -> Metrics {
        var inputs = scraper.withLock { $0.readInputs() }
        if let source = gpuSource() {
            let (readings, failures) = source.read()
            inputs.gpus = readings
            if failures > 0 { scrapeErrors["gpu"]?.add(failures) }
        }
        let (metrics, errors) = scraper.withLock { $0.scrape(inputs, now: now) }
        for scraperName in errors { scrapeErrors[scraperName]?.add() }
        let points = metrics.dataPointCount
        guard points > 0 else { return metrics }
        do {
            try consumer.consume(metrics)
            accepted.add(points)
        } catch {
            refused.add(points)
            logger.warning(
                "host metrics refused",
                metadata: ["receiver": "\(name)", "data_points": "\(points)", "error": "\(error)"])
        }
        return metrics
    }

    /// The GPU library, loaded on first use: the first library in `settings.gpuLibraries` that opens and
    /// initializes wins. Exactly one log line says which, or why there is none.
    private func gpuSource() -> (any GPUSource)? {
        gpu.withLock { state -> (any GPUSource)? in
            switch state {
            case .loaded(let source): return source
            case .unavailable: return nil
            case .notLoaded: break
            }
            guard !settings.gpuLibraries.isEmpty else {
                state = .unavailable
                return nil
            }
            var reasons: [String] = []
            for library in settings.gpuLibraries {
                do {
                    let source: any GPUSource
                    switch library {
                    case .nvml(let path): source = try NVMLSource(library: path)
                    case .amdSMI(let path): source = try AMDSMISource(library: path)
                    }
                    let devices = source.read().readings
                    logger.info(
                        "GPU metrics on",
                        metadata: [
                            "receiver": "\(name)", "vendor": "\(source.vendor)", "devices": "\(devices.count)",
                            "names": "\(devices.map(\.name).joined(separator: ", "))",
                        ])
                    state = .loaded(source)
                    return source
                } catch {
                    reasons.append("\(error)")
                }
            }
            logger.info(
                "no GPU driver found; GPU metrics off, host metrics go on",
                metadata: [
                    "receiver": "\(name)", "tried": "\(reasons.joined(separator: "; "))",
                ])
            state = .unavailable
            return nil
        }
    }
}
