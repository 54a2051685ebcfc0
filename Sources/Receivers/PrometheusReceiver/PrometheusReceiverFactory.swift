internal import ClientTLS
public import ComponentKit
internal import GatewayCore
internal import Logging

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
