internal import GatewayCore

#if canImport(Glibc)
    import Glibc
#endif

/// What the `hostmetrics` receiver collects, and where from.
public struct HostMetricsSettings: Sendable, Equatable {
    /// Per-CPU time (`system.cpu.time`) and utilization (`system.cpu.utilization`).
    public var cpu: Bool
    /// `system.memory.usage`, `system.memory.utilization`, `system.memory.limit`.
    public var memory: Bool
    /// `system.cpu.load_average.{1m,5m,15m}`.
    public var load: Bool
    /// The gateway's own process: `process.cpu.time`, `process.memory.usage`, … .
    public var process: Bool
    /// GPU libraries to try, in order (NVML, then AMD SMI); empty turns GPU metrics off.
    public var gpuLibraries: [GPULibrary]
    /// Prefix of `/proc` for host metrics, for a container that mounts the host's root (the Collector's
    /// `root_path`). The process scraper always reads this process's own `/proc/self`.
    public var rootPath: String
    /// Metric names left out (`metrics.<name>.enabled: false`).
    public var disabledMetrics: Set<String>

    /// A GPU vendor library to load at run time.
    public enum GPULibrary: Sendable, Equatable {
        case nvml(path: String)
        case amdSMI(path: String)
    }

    public init(
        cpu: Bool = true, memory: Bool = true, load: Bool = true, process: Bool = true, gpuLibraries: [GPULibrary] = [],
        rootPath: String = "", disabledMetrics: Set<String> = []
    ) {
        self.cpu = cpu
        self.memory = memory
        self.load = load
        self.process = process
        self.gpuLibraries = gpuLibraries
        self.rootPath = rootPath
        self.disabledMetrics = disabledMetrics
    }
}

/// Turns `/proc` readings and GPU readings into OTLP metrics named as OpenTelemetry's semantic conventions and
/// the Collector's `hostmetrics` receiver name them. Keeps the previous CPU times so utilization is the share
/// of each state over the last interval, not since boot.
struct HostScraper {
    let settings: HostMetricsSettings
    let ticksPerSecond: Double
    let pageSize: UInt64
    private var previousCPU: [String: CPUTimes] = [:]
    private var bootTimeUnixNano: UInt64 = 0
    // Read once: the host name and this process's executable do not change while it runs.
    private let hostAttributes = Self.hostResource()
    private let processAttributes = Self.processResource()

    init(settings: HostMetricsSettings) {
        self.settings = settings
        ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// One scrape's readings from files; the GPU readings come from the receiver, which owns the libraries.
    struct Inputs {
        var procStat: String?
        var meminfo: String?
        var loadavg: String?
        var selfStat: String?
        var openFileDescriptors: Int?
        var gpus: [GPUReading] = []
    }

    /// Reads the files the enabled scrapers need.
    func readInputs() -> Inputs {
        let proc = settings.rootPath + "/proc"
        return Inputs(
            procStat: settings.cpu || settings.process ? ProcFileReader.read(proc + "/stat") : nil,
            meminfo: settings.memory ? ProcFileReader.read(proc + "/meminfo") : nil,
            loadavg: settings.load ? ProcFileReader.read(proc + "/loadavg") : nil,
            selfStat: settings.process ? ProcFileReader.read("/proc/self/stat") : nil,
            openFileDescriptors: settings.process ? ProcFileReader.countEntries("/proc/self/fd") : nil)
    }

    /// Host metrics (`system.*`, `hw.*`) and this process's metrics (`process.*`, under a resource naming the
    /// process), at `now`. `errors` counts scrapers whose source could not be read or parsed.
    mutating func scrape(_ inputs: Inputs, now: UInt64) -> (metrics: Metrics, errors: [String]) {
        var host: [Metric] = []
        var errors: [String] = []
        if let text = inputs.procStat, let boot = CPUTimes.bootTime(procStat: text[...]) {
            bootTimeUnixNano = boot * 1_000_000_000
        }
        if settings.cpu {
            if let text = inputs.procStat {
                let cpus = CPUTimes.parse(procStat: text[...], ticksPerSecond: ticksPerSecond)
                if cpus.isEmpty { errors.append("cpu") } else { host += cpuMetrics(cpus, now: now) }
            } else {
                errors.append("cpu")
            }
        }
        if settings.memory {
            if let info = inputs.meminfo.flatMap({ MemoryInfo.parse($0[...]) }) {
                host += memoryMetrics(info, now: now)
            } else {
                errors.append("memory")
            }
        }
        if settings.load {
            if let load = inputs.loadavg.flatMap({ LoadAverage.parse($0[...]) }) {
                for (suffix, value) in [("1m", load.one), ("5m", load.five), ("15m", load.fifteen)] {
                    host.append(
                        gauge(
                            "system.cpu.load_average.\(suffix)", "Average CPU load over \(suffix).", "{thread}",
                            [(Attributes(), value)], now: now))
                }
            } else {
                errors.append("load")
            }
        }
        if !inputs.gpus.isEmpty { host += gpuMetrics(inputs.gpus, now: now) }

        if !settings.disabledMetrics.isEmpty { host.removeAll { settings.disabledMetrics.contains($0.name) } }
        var resources: [ResourceMetrics] = []
        let scope = InstrumentationScope(name: "otlp-gateway/hostmetrics")
        if !host.isEmpty {
            resources.append(
                ResourceMetrics(
                    resource: Resource(attributes: hostAttributes),
                    scopeMetrics: [ScopeMetrics(scope: scope, metrics: host)]))
        }
        if settings.process {
            if let stat = inputs.selfStat.flatMap({
                ProcessStat.parse($0[...], ticksPerSecond: ticksPerSecond, pageSize: pageSize)
            }) {
                let start = bootTimeUnixNano + UInt64(stat.startSecondsAfterBoot * 1e9)
                var metrics = processMetrics(stat, fds: inputs.openFileDescriptors, start: start, now: now)
                if !settings.disabledMetrics.isEmpty {
                    metrics.removeAll { settings.disabledMetrics.contains($0.name) }
                }
                if !metrics.isEmpty {
                    resources.append(
                        ResourceMetrics(
                            resource: Resource(attributes: processAttributes),
                            scopeMetrics: [ScopeMetrics(scope: scope, metrics: metrics)]))
                }
            } else {
                errors.append("process")
            }
        }
        return (Metrics(resourceMetrics: resources), errors)
    }

    // MARK: Scrapers

    private mutating func cpuMetrics(_ cpus: [CPUTimes], now: UInt64) -> [Metric] {
        var time: [(Attributes, Double)] = []
        var utilization: [(Attributes, Double)] = []
        time.reserveCapacity(cpus.count * 8)
        for cpu in cpus {
            let previous = previousCPU[cpu.cpu]
            let elapsed = previous.map { cpu.total - $0.total } ?? 0
            let previousStates = previous?.states
            for (i, (state, seconds)) in cpu.states.enumerated() {
                let attributes: Attributes = ["cpu": .string(cpu.cpu), "state": .string(state)]
                time.append((attributes, seconds))
                // The first scrape has no interval yet; a CPU brought online since has none either.
                if let previousStates, elapsed > 0 {
                    utilization.append((attributes, max(0, min(1, (seconds - previousStates[i].1) / elapsed))))
                }
            }
            previousCPU[cpu.cpu] = cpu
        }
        var metrics = [
            sum(
                "system.cpu.time", "Seconds each logical CPU spent on each mode.", "s", time, start: bootTimeUnixNano,
                now: now, monotonic: true)
        ]
        if !utilization.isEmpty {
            metrics.append(
                gauge(
                    "system.cpu.utilization", "Share of the last interval each logical CPU spent in each mode, 0 to 1.",
                    "1", utilization, now: now))
        }
        return metrics
    }

    private func memoryMetrics(_ info: MemoryInfo, now: UInt64) -> [Metric] {
        let states: [(String, UInt64)] = [
            ("used", info.used), ("free", info.free), ("buffered", info.buffers), ("cached", info.cached),
            ("slab_reclaimable", info.slabReclaimable), ("slab_unreclaimable", info.slabUnreclaimable),
        ]
        let total = Double(info.total)
        return [
            sum(
                "system.memory.usage", "Bytes of memory in use, by state.", "By",
                states.map { (["state": .string($0.0)], Double($0.1)) }, start: 0, now: now, monotonic: false),
            gauge(
                "system.memory.utilization", "Share of memory in each state, 0 to 1.", "1",
                states.map { (["state": .string($0.0)], total > 0 ? Double($0.1) / total : 0) }, now: now),
            sum(
                "system.memory.limit", "Total bytes of memory available.", "By", [(Attributes(), total)], start: 0,
                now: now, monotonic: false),
        ]
    }

    private func processMetrics(_ stat: ProcessStat, fds: Int?, start: UInt64, now: UInt64) -> [Metric] {
        var metrics = [
            sum(
                "process.cpu.time", "Total CPU seconds of this process, by state.", "s",
                [(["state": .string("user")], stat.userSeconds), (["state": .string("system")], stat.systemSeconds)],
                start: start, now: now, monotonic: true),
            sum(
                "process.memory.usage", "Resident set size of this process.", "By",
                [(Attributes(), Double(stat.residentBytes))], start: 0, now: now, monotonic: false),
            sum(
                "process.memory.virtual", "Virtual memory size of this process.", "By",
                [(Attributes(), Double(stat.virtualBytes))], start: 0, now: now, monotonic: false),
            sum(
                "process.threads", "Threads of this process.", "{thread}", [(Attributes(), Double(stat.threads))],
                start: 0, now: now, monotonic: false),
        ]
        if let fds {
            metrics.append(
                sum(
                    "process.open_file_descriptors", "Open file descriptors of this process.", "{count}",
                    [(Attributes(), Double(fds))], start: 0, now: now, monotonic: false))
        }
        return metrics
    }

    private func gpuMetrics(_ gpus: [GPUReading], now: UInt64) -> [Metric] {
        var utilization: [(Attributes, Double)] = []
        var used: [(Attributes, Double)] = []
        var limit: [(Attributes, Double)] = []
        var memoryUtilization: [(Attributes, Double)] = []
        var temperature: [(Attributes, Double)] = []
        var power: [(Attributes, Double)] = []
        for gpu in gpus {
            let attributes: Attributes = [
                "hw.id": .string(gpu.id), "hw.name": .string(gpu.name), "hw.vendor": .string(gpu.vendor),
                "hw.type": .string("gpu"),
            ]
            if let u = gpu.utilization { utilization.append((attributes, u)) }
            if let u = gpu.memoryUsedBytes { used.append((attributes, Double(u))) }
            if let t = gpu.memoryTotalBytes { limit.append((attributes, Double(t))) }
            if let u = gpu.memoryUsedBytes, let t = gpu.memoryTotalBytes, t > 0 {
                memoryUtilization.append((attributes, Double(u) / Double(t)))
            }
            if let t = gpu.temperatureCelsius { temperature.append((attributes, t)) }
            if let p = gpu.powerWatts { power.append((attributes, p)) }
        }
        var metrics: [Metric] = []
        if !utilization.isEmpty {
            metrics.append(
                gauge(
                    "hw.gpu.utilization", "Share of time the GPU was busy over the driver's sample period, 0 to 1.",
                    "1", utilization, now: now))
        }
        if !used.isEmpty {
            metrics.append(
                sum("hw.gpu.memory.usage", "GPU memory in use.", "By", used, start: 0, now: now, monotonic: false))
        }
        if !limit.isEmpty {
            metrics.append(
                sum("hw.gpu.memory.limit", "GPU memory in total.", "By", limit, start: 0, now: now, monotonic: false))
        }
        if !memoryUtilization.isEmpty {
            metrics.append(
                gauge(
                    "hw.gpu.memory.utilization", "Share of GPU memory in use, 0 to 1.", "1", memoryUtilization, now: now
                ))
        }
        if !temperature.isEmpty {
            metrics.append(gauge("hw.temperature", "GPU temperature.", "Cel", temperature, now: now))
        }
        if !power.isEmpty { metrics.append(gauge("hw.power", "GPU power draw.", "W", power, now: now)) }
        return metrics
    }

    // MARK: Building blocks

    private func gauge(
        _ name: String, _ description: String, _ unit: String, _ points: [(Attributes, Double)], now: UInt64
    ) -> Metric {
        Metric(
            name: name, description: description, unit: unit,
            data: .gauge(
                points.map {
                    NumberDataPoint(attributes: $0.0, timeUnixNano: now, value: .double($0.1))
                }))
    }

    private func sum(
        _ name: String, _ description: String, _ unit: String, _ points: [(Attributes, Double)], start: UInt64,
        now: UInt64, monotonic: Bool
    ) -> Metric {
        Metric(
            name: name, description: description, unit: unit,
            data: .sum(
                Sum(
                    dataPoints: points.map {
                        NumberDataPoint(
                            attributes: $0.0, startTimeUnixNano: start, timeUnixNano: now, value: .double($0.1))
                    },
                    temporality: .cumulative, isMonotonic: monotonic)))
    }

    static func hostResource() -> Attributes {
        ["host.name": .string(hostName()), "os.type": .string("linux")]
    }

    static func processResource() -> Attributes {
        var attributes: Attributes = ["host.name": .string(hostName()), "process.pid": .int(Int64(getpid()))]
        if let exe = readLink("/proc/self/exe") {
            attributes = Attributes(
                Array(attributes) + [
                    Attribute(key: "process.executable.path", value: .string(exe)),
                    Attribute(
                        key: "process.executable.name", value: .string(String(exe.split(separator: "/").last ?? ""))),
                ])
        }
        return attributes
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return cString(buffer)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return cString(Array(buffer[0..<n]))
    }
}
