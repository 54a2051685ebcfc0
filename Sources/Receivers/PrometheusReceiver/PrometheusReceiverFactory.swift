internal import ClientTLS
public import ComponentKit
internal import GatewayCore
internal import Logging
internal import SelfTelemetry
internal import Synchronization

/// `prometheus`: one scraper per target of every job, each a part of its own.
public struct PrometheusReceiverFactory: ReceiverFactory {
    public init() {}

    public var types: [String] { ["prometheus"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        PrometheusReceiverConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: ReceiverContext) throws {
        guard let c = config as? PrometheusReceiverConfig else { throw ComponentBuildError("not a prometheus config") }
        guard let metrics = context.metrics else { return }
        let id = context.base.id
        for job in c.jobs {
            let tls = try Self.tls(job, id: id)
            if !job.fileDiscovery.isEmpty {
                let discovery = TargetSet(
                    job: job, tls: tls, next: metrics, registry: context.base.registry, logger: context.base.logger,
                    receiver: id.description)
                context.base.addPart(.receivers, "receivers.\(id) (\(job.name) file_sd)") {
                    await discovery.run(clock: ContinuousClock())
                }
                continue
            }
            for (address, labels) in job.targets {
                guard let target = Self.target(job, address: address, labels: labels) else {
                    context.base.logger.info(
                        "prometheus target dropped by relabel_configs",
                        metadata: ["receiver": "\(id)", "job": "\(job.name)", "target": "\(address)"])
                    continue
                }
                let scraper = Scraper(
                    job: job, target: target, next: metrics, tls: target.scheme == "https" ? tls : nil,
                    registry: context.base.registry, logger: context.base.logger, receiver: id.description)
                context.base.addPart(.receivers, "receivers.\(id) (\(job.name) \(target.instance))") {
                    await scraper.run(clock: ContinuousClock())
                }
            }
        }
    }

    /// The target after `relabel_configs`, as Prometheus computes it: the discovered labels (`__address__`,
    /// `__scheme__`, `__metrics_path__`, `__param_<name>`, `job`, the group's labels), relabeled, then the
    /// `__` labels dropped and `instance` defaulting to the address. Nil when a rule drops it.
    static func target(_ job: ScrapeJob, address: String, labels: [String: String]) -> Scraper.Target? {
        var discovered = labels
        discovered["__address__"] = address
        discovered["__scheme__"] = job.scheme
        discovered["__metrics_path__"] = job.metricsPath
        discovered["job"] = job.name
        for (name, value) in job.params where discovered["__param_\(name)"] == nil {
            discovered["__param_\(name)"] = value
        }
        guard var final = RelabelRule.apply(job.relabel, to: discovered) else { return nil }
        let finalAddress = final["__address__"] ?? address
        guard let (host, port) = parseHostPort(finalAddress) else { return nil }
        let scheme = final["__scheme__"] ?? job.scheme
        let path = final["__metrics_path__"] ?? job.metricsPath
        let instance = final["instance"] ?? finalAddress
        let jobName = final["job"] ?? job.name
        for key in final.keys where key.hasPrefix("__") { final[key] = nil }
        final["instance"] = nil
        final["job"] = nil
        return Scraper.Target(
            host: host, port: port, scheme: scheme, path: path, job: jobName, instance: instance, labels: final)
    }

    static func tls(_ job: ScrapeJob, id: ComponentID) throws -> ClientTLS? {
        let settings = job.tls
        guard job.scheme == "https" || settings != nil else { return nil }
        let options = ClientTLS.Options(
            caFile: settings?.caFile, certFile: settings?.certFile, keyFile: settings?.keyFile,
            insecureSkipVerify: settings?.insecureSkipVerify ?? false, serverNameOverride: settings?.serverName,
            minVersion: .tls12, maxVersion: nil)
        do {
            return try ClientTLS(options, applicationProtocols: ["http/1.1"])
        } catch {
            throw ComponentBuildError(
                "receivers.\(id).config.scrape_configs[\(job.name)].tls_config: \(error.description)")
        }
    }
}

/// The scrapers of a job with `file_sd_configs`: its static targets and those its files list now, each target's
/// scraper started when it appears and stopped (its series marked stale) when it goes.
final class TargetSet: Sendable {
    let job: ScrapeJob
    let tls: ClientTLS?
    let next: any Consumer<Metrics>
    let registry: TelemetryRegistry
    let logger: Logger
    let receiver: String

    init(
        job: ScrapeJob, tls: ClientTLS?, next: any Consumer<Metrics>, registry: TelemetryRegistry, logger: Logger,
        receiver: String
    ) {
        self.job = job
        self.tls = tls
        self.next = next
        self.registry = registry
        self.logger = logger
        self.receiver = receiver
    }

    /// Checks the files every second until cancelled, then stops every scraper.
    func run<C: Clock>(clock: C) async where C.Duration == Duration {
        let state = Mutex<
            (running: [String: Task<Void, Never>], fingerprint: [String: Int]?, readAt: C.Instant?, problems: [String])
        >(
            ([:], nil, nil, []))
        let refresh = job.fileDiscovery.map(\.refreshInterval).min() ?? .seconds(300)
        await Periodic.run(every: .seconds(1), clock: clock, options: .init(tickAtStart: true, tickAtStop: false)) {
            let fingerprint = self.job.fileDiscovery.reduce(into: [String: Int]()) {
                $0.merge($1.fingerprint()) { a, _ in a }
            }
            let now = clock.now
            let due = state.withLock { s in
                s.fingerprint != fingerprint || s.readAt.map { $0.duration(to: now) >= refresh } ?? true
            }
            guard due else { return }
            var groups: [FileDiscovery.Group] = []
            var problems: [String] = []
            for discovery in self.job.fileDiscovery {
                let read = discovery.read()
                groups += read.groups
                problems += read.problems
            }
            var desired: [String: Scraper.Target] = [:]
            var candidates = self.job.targets.map { ($0.address, $0.labels) }
            for group in groups {
                for address in group.targets {
                    candidates.append((address, group.labels.merging(["__meta_filepath": group.file]) { a, _ in a }))
                }
            }
            for (address, labels) in candidates {
                guard let target = PrometheusReceiverFactory.target(self.job, address: address, labels: labels) else {
                    continue
                }
                let key =
                    "\(target.scheme)://\(target.host):\(target.port)\(target.path) \(target.instance) "
                    + target.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                desired[key] = target
            }
            let (start, stop, newProblems) = state.withLock {
                s -> ([(String, Scraper.Target)], [Task<Void, Never>], [String]) in
                s.fingerprint = fingerprint
                s.readAt = now
                let stop = s.running.filter { desired[$0.key] == nil }
                for key in stop.keys { s.running[key] = nil }
                let start = desired.filter { s.running[$0.key] == nil }.sorted { $0.key < $1.key }
                let fresh = problems.filter { !s.problems.contains($0) }
                s.problems = problems
                return (start.map { ($0.key, $0.value) }, Array(stop.values), fresh)
            }
            for problem in newProblems {
                self.logger.warning(
                    "file_sd: cannot use a file", metadata: ["job": "\(self.job.name)", "problem": "\(problem)"])
            }
            for task in stop { task.cancel() }
            for (key, target) in start {
                let scraper = Scraper(
                    job: self.job, target: target, next: self.next, tls: target.scheme == "https" ? self.tls : nil,
                    registry: self.registry, logger: self.logger, receiver: self.receiver)
                let task = Task { await scraper.run(clock: ContinuousClock()) }
                state.withLock { $0.running[key] = task }
            }
            if !start.isEmpty || !stop.isEmpty {
                self.logger.info(
                    "file_sd: targets changed",
                    metadata: ["job": "\(self.job.name)", "started": "\(start.count)", "stopped": "\(stop.count)"])
            }
        }
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            defer { s.running = [:] }
            return Array(s.running.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
