public import ComponentKit

/// The `hostmetrics` receiver, `receivers.hostmetrics[/name]`, in the Collector's shape: `collection_interval`,
/// `root_path` and one entry per scraper under `scrapers`. Scrapers here: `cpu`, `memory`, `load`, `process`
/// (this gateway's own process) and `gpu` (NVML, then AMD SMI, loaded at run time).
public struct HostMetricsReceiverConfig: Sendable, Equatable {
    /// Scrapers this gateway implements.
    public enum Scraper: String, Sendable, CaseIterable, Comparable {
        case cpu, memory, load, process, gpu

        public static func < (a: Scraper, b: Scraper) -> Bool { a.rawValue < b.rawValue }

        /// The metrics a scraper produces, for `metrics.<name>.enabled`.
        public var metricNames: [String] {
            switch self {
            case .cpu: return ["system.cpu.time", "system.cpu.utilization"]
            case .memory: return ["system.memory.usage", "system.memory.utilization", "system.memory.limit"]
            case .load:
                return ["system.cpu.load_average.1m", "system.cpu.load_average.5m", "system.cpu.load_average.15m"]
            case .process:
                return [
                    "process.cpu.time", "process.memory.usage", "process.memory.virtual", "process.threads",
                    "process.open_file_descriptors",
                ]
            case .gpu:
                return [
                    "hw.gpu.utilization", "hw.gpu.memory.usage", "hw.gpu.memory.limit", "hw.gpu.memory.utilization",
                    "hw.temperature", "hw.power",
                ]
            }
        }
    }

    /// Scrapers the Collector has and this gateway does not: named in the error so the user knows it is a gap,
    /// not a typo.
    static let collectorOnlyScrapers: Set<String> = [
        "disk", "filesystem", "network", "paging", "processes", "system", "nfs",
    ]

    /// `collection_interval`: time between scrapes. Default 10s.
    public var collectionInterval: Duration
    /// `root_path`: where the host's root is mounted inside a container (`/hostfs`); empty reads this
    /// machine's `/proc`.
    public var rootPath: String
    /// The scrapers written under `scrapers`.
    public var scrapers: Set<Scraper>
    /// `scrapers.<name>.metrics.<metric>.enabled: false`: metrics left out.
    public var disabledMetrics: Set<String>
    /// `scrapers.gpu.nvml_library`: NVML's shared library. Default `libnvidia-ml.so.1`, found on the loader's
    /// path as `nvidia-smi` finds it.
    public var nvmlLibrary: String
    /// `scrapers.gpu.amd_smi_library`: AMD SMI's shared library, tried when NVML is absent. Default
    /// `libamd_smi.so`; empty skips AMD.
    public var amdSMILibrary: String

    public init(
        collectionInterval: Duration = .seconds(10), rootPath: String = "",
        scrapers: Set<Scraper> = Set(Scraper.allCases),
        disabledMetrics: Set<String> = [], nvmlLibrary: String = "libnvidia-ml.so.1",
        amdSMILibrary: String = "libamd_smi.so"
    ) {
        self.collectionInterval = collectionInterval
        self.rootPath = rootPath
        self.scrapers = scrapers
        self.disabledMetrics = disabledMetrics
        self.nvmlLibrary = nvmlLibrary
        self.amdSMILibrary = amdSMILibrary
    }
}

extension HostMetricsReceiverConfig: ConfigSection {
    public init(from reader: MappingReader) {
        let d = HostMetricsReceiverConfig()
        var scrapers: Set<Scraper> = []
        var disabled: Set<String> = []
        var nvml = d.nvmlLibrary
        var amd = d.amdSMILibrary
        let written: Bool? = reader.section("scrapers") { section in
            for entry in section.allEntries() {
                guard let scraper = Scraper(rawValue: entry.key) else {
                    let supported = Scraper.allCases.map(\.rawValue).joined(separator: ", ")
                    let problem =
                        Self.collectorOnlyScrapers.contains(entry.key)
                        ? "the Collector's \(entry.key) scraper is not implemented by otlp-gateway (it has: \(supported))"
                        : "unknown scraper (supported: \(supported))"
                    section.report(entry.key, problem)
                    continue
                }
                scrapers.insert(scraper)
                let scraperReader = MappingReader(
                    entry.value, at: section.path(entry.key), diagnostics: section.diagnostics)
                disabled.formUnion(Self.disabledMetrics(scraperReader, scraper))
                if scraper == .gpu {
                    nvml = scraperReader.string("nvml_library", default: nvml)
                    amd = scraperReader.string("amd_smi_library", default: amd)
                }
                scraperReader.finish()
            }
            return true
        }
        if written == nil || scrapers.isEmpty && reader.contains("scrapers") {
            reader.report(
                "scrapers",
                "must name at least one scraper (\(Scraper.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(
            collectionInterval: reader.positiveDuration("collection_interval", default: d.collectionInterval),
            rootPath: reader.string("root_path", default: d.rootPath), scrapers: scrapers, disabledMetrics: disabled,
            nvmlLibrary: nvml, amdSMILibrary: amd)
        if !rootPath.isEmpty && !rootPath.hasPrefix("/") {
            reader.report("root_path", "must be an absolute path, got \(rootPath)")
        }
    }

    /// `metrics: {<name>: {enabled: false}}`, as the Collector's generated scraper configs take it.
    private static func disabledMetrics(_ reader: MappingReader, _ scraper: Scraper) -> Set<String> {
        var disabled: Set<String> = []
        _ = reader.section("metrics") { metrics in
            for entry in metrics.allEntries() {
                guard scraper.metricNames.contains(entry.key) else {
                    metrics.report(
                        entry.key,
                        "not a metric of the \(scraper.rawValue) scraper (it has: \(scraper.metricNames.joined(separator: ", ")))"
                    )
                    continue
                }
                let metric = MappingReader(entry.value, at: metrics.path(entry.key), diagnostics: metrics.diagnostics)
                if !metric.bool("enabled", default: true) { disabled.insert(entry.key) }
                metric.finish()
            }
        }
        return disabled
    }
}
