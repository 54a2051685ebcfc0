#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
    private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// The gateway process' own resource use, read from /proc at scrape time (Linux; zero elsewhere).
public enum ProcessMetrics {
    /// Registers `otelcol_process_*` series as the Collector names them when scraped through Prometheus.
    public static func register(in registry: TelemetryRegistry) {
        let start = monotonicSeconds()
        registry.register(
            "otelcol_process_memory_rss_bytes", kind: .gauge,
            help: "Total physical memory (resident set size) of the process."
        ) {
            Double(residentBytes())
        }
        registry.register(
            "otelcol_process_cpu_seconds_total", kind: .counter, help: "Total CPU user and system time in seconds."
        ) {
            cpuSeconds()
        }
        registry.register(
            "otelcol_process_uptime_seconds_total", kind: .counter, help: "Uptime of the process in seconds."
        ) {
            monotonicSeconds() - start
        }
    }

    public static func residentBytes() -> Int {
        guard let text = readFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF_WHO, &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = fread(&buffer, 1, buffer.count - 1, f)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
