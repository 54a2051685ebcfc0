public import ComponentKit
public import GatewayCore

/// The `prometheus` receiver, `receivers.prometheus[/name]`, in the Collector's shape: Prometheus' own scrape
/// configuration under `config` (`global`, `scrape_configs`).
public struct PrometheusReceiverConfig: ComponentConfig {
    public var jobs: [ScrapeJob]

    public func signalProblem(_ signal: Signal) -> String? { signal == .metrics ? nil : "produces metrics only" }

    init(from reader: MappingReader) {
        var jobs: [ScrapeJob] = []
        let section = reader.section("config") { config -> [ScrapeJob] in
            var defaults = ScrapeJob.Defaults()
            config.section("global") { global in
                defaults.interval = global.positiveDuration("scrape_interval", default: defaults.interval)
                defaults.timeout = global.positiveDuration("scrape_timeout", default: defaults.timeout)
                for key in global.keys where !["scrape_interval", "scrape_timeout"].contains(key) {
                    _ = global.value(key)  // evaluation_interval, external_labels: no meaning for a scraper
                }
            }
            let elements =
                config.mappingList("scrape_configs", expected: "a scrape config like {job_name: x, ...}") ?? []
            var names: Set<String> = []
            var out: [ScrapeJob] = []
            for item in elements {
                defer { item.finish() }
                guard let job = ScrapeJob(from: item, defaults: defaults) else { continue }
                if !names.insert(job.name).inserted { item.report("job_name", "\(quoted(job.name)) is used twice") }
                out.append(job)
            }
            if out.isEmpty && elements.isEmpty {
                config.report("scrape_configs", "required: at least one scrape config")
            }
            return out
        }
        if let section {
            jobs = section
        } else {
            reader.report("config", "required: a Prometheus scrape configuration")
        }
        self.jobs = jobs
    }
}

/// One `scrape_configs` entry.
public struct ScrapeJob: Sendable {
    struct Defaults {
        var interval: Duration = .seconds(60)
        var timeout: Duration = .seconds(10)
    }

    public var name: String
    public var interval: Duration
    public var timeout: Duration
    public var metricsPath: String
    public var scheme: String
    public var params: [(String, String)]
    /// `static_configs`: each target with the labels of its group.
    public var targets: [(address: String, labels: [String: String])]
    /// `file_sd_configs`.
    public var fileDiscovery: [FileDiscovery]
    public var honorLabels: Bool
    public var honorTimestamps: Bool
    /// 0: no limit.
    public var sampleLimit: Int
    public var bodySizeLimit: Int
    public var labelLimit: Int
    public var relabel: [RelabelRule]
    public var metricRelabel: [RelabelRule]
    /// The `Authorization` header value (`basic_auth` or `authorization`), read at start.
    public var authorization: String?
    /// `tls_config`: `ca_file`, `cert_file`, `key_file`, `server_name`, `insecure_skip_verify`.
    public var tls: TLSSettings?

    public struct TLSSettings: Sendable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public var serverName: String?
        public var insecureSkipVerify: Bool
    }

    init?(from item: MappingReader, defaults: Defaults) {
        guard let name = item.scalar("job_name", expected: "a job name"), !name.isEmpty else {
            item.report("job_name", "required")
            return nil
        }
        self.name = name
        interval = item.positiveDuration("scrape_interval", default: defaults.interval)
        let timeoutDefault = defaults.timeout > interval ? interval : defaults.timeout
        timeout = item.positiveDuration("scrape_timeout", default: timeoutDefault)
        if timeout > interval { item.report("scrape_timeout", "must not exceed scrape_interval (\(interval))") }
        metricsPath = item.string("metrics_path", default: "/metrics")
        if !metricsPath.hasPrefix("/") { item.report("metrics_path", "must start with /") }
        scheme = item.string("scheme", default: "http")
        if scheme != "http" && scheme != "https" {
            item.report("scheme", "expected http or https, got \(quoted(scheme))")
        }
        var params: [(String, String)] = []
        item.section("params") { p in
            for key in p.keys {
                for value in p.stringList(key)?.strings ?? [] { params.append((key, value)) }
            }
        }
        self.params = params
        var targets: [(address: String, labels: [String: String])] = []
        for group in item.mappingList("static_configs", expected: "{targets: [host:port], labels: {...}}") ?? [] {
            defer { group.finish() }
            var labels: [String: String] = [:]
            for (key, value) in group.stringMap("labels") ?? [] {
                if !RelabelRule.isLabelName(key) { group.report("labels", "invalid label name \(quoted(key))") }
                labels[key] = value
            }
            for target in group.stringList("targets")?.strings ?? [] {
                if parseHostPort(target) == nil { group.report("targets", "expected host:port, got \(quoted(target))") }
                targets.append((target, labels))
            }
        }
        self.targets = targets
        var discoveries: [FileDiscovery] = []
        for sd in item.mappingList("file_sd_configs", expected: "{files: [path], refresh_interval: 5m}") ?? [] {
            defer { sd.finish() }
            let files = sd.stringList("files")?.strings ?? []
            if files.isEmpty { sd.report("files", "required: at least one file or pattern") }
            for file in files where !(file.hasSuffix(".json") || file.hasSuffix(".yml") || file.hasSuffix(".yaml")) {
                sd.report("files", "\(quoted(file)) must end in .json, .yml or .yaml, as Prometheus requires")
            }
            discoveries.append(
                FileDiscovery(
                    patterns: files, refreshInterval: sd.positiveDuration("refresh_interval", default: .seconds(300))))
        }
        self.fileDiscovery = discoveries
        honorLabels = item.bool("honor_labels", default: false)
        honorTimestamps = item.bool("honor_timestamps", default: true)
        sampleLimit = item.int("sample_limit", default: 0, min: 0)
        labelLimit = item.int("label_limit", default: 0, min: 0)
        let bodyText = item.string("body_size_limit", default: "0")
        if let bytes = Self.byteSize(bodyText) {
            bodySizeLimit = bytes
        } else {
            item.report("body_size_limit", "expected a size like 10MB, got \(quoted(bodyText))")
            bodySizeLimit = 0
        }
        relabel = RelabelRule.decodeList(item, "relabel_configs")
        metricRelabel = RelabelRule.decodeList(item, "metric_relabel_configs")
        var authorization: String?
        item.section("basic_auth") { auth in
            let user = auth.string("username", default: "")
            let password = auth.string("password", default: "")
            authorization = "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
        }
        item.section("authorization") { auth in
            let type = auth.string("type", default: "Bearer")
            let credentials = auth.string("credentials", default: "")
            if authorization != nil { auth.report("only one of basic_auth and authorization") }
            authorization = "\(type) \(credentials)"
        }
        self.authorization = authorization
        tls = item.section("tls_config") { t in
            TLSSettings(
                caFile: t.scalar("ca_file", expected: "a file"), certFile: t.scalar("cert_file", expected: "a file"),
                keyFile: t.scalar("key_file", expected: "a file"),
                serverName: t.scalar("server_name", expected: "a name"),
                insecureSkipVerify: t.bool("insecure_skip_verify", default: false))
        }
        for key in ["scrape_protocols", "enable_compression", "fallback_scrape_protocol", "track_timestamps_staleness"]
        where item.contains(key) {
            _ = item.value(key)  // accepted: the format is chosen by Content-Type, bodies come uncompressed
        }
    }

    /// Prometheus' byte sizes: `0`, `512`, `10KB`, `10MB`, `1GB` (powers of 1024, as Prometheus reads them).
    static func byteSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30),
            ("B", 1),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let n = Int(text.dropLast(suffix.count)), n >= 0 else { return nil }
            return n * factor
        }
        guard let n = Int(text), n >= 0 else { return nil }
        return n
    }
}
