internal import FileIO

#if canImport(Glibc)
    import Glibc
#endif

/// Readers of Linux `/proc` files. The parsers take the file's text so tests can feed recorded contents; only
/// `ProcFileReader` touches the file system.
enum ProcFileReader {
    /// The whole file as text, or nil when it cannot be opened. `/proc` files report size 0, so this reads
    /// until end of file instead of trusting `stat`.
    static func read(_ path: String) -> String? { WholeFile.text(path) }

    /// Entries of a directory, without `.` and `..`; nil when it cannot be opened.
    static func countEntries(_ path: String) -> Int? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                raw[0] == UInt8(ascii: ".") && (raw[1] == 0 || (raw[1] == UInt8(ascii: ".") && raw[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }
}

/// CPU time per logical CPU from `/proc/stat`, in seconds, by the Collector's state names.
struct CPUTimes: Equatable, Sendable {
    /// `cpu0`, `cpu1`, … as the Collector labels them.
    var cpu: String
    var user: Double
    var nice: Double
    var system: Double
    var idle: Double
    var wait: Double
    var interrupt: Double
    var softirq: Double
    var steal: Double

    var total: Double { user + nice + system + idle + wait + interrupt + softirq + steal }

    /// (Collector state name, seconds), in a fixed order.
    var states: [(String, Double)] {
        [
            ("user", user), ("nice", nice), ("system", system), ("idle", idle), ("wait", wait),
            ("interrupt", interrupt), ("softirq", softirq), ("steal", steal),
        ]
    }

    /// Per-CPU lines (`cpuN ...`) of `/proc/stat`; the aggregate `cpu` line is skipped. Values are in clock
    /// ticks, converted with `ticksPerSecond`. Guest time is already included in user and nice by the kernel.
    static func parse(procStat text: Substring, ticksPerSecond: Double) -> [CPUTimes] {
        var result: [CPUTimes] = []
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, fields[0].count > 3 else { continue }
            var values = [Double](repeating: 0, count: 8)
            for i in 0..<min(8, fields.count - 1) {
                guard let v = UInt64(fields[i + 1]) else { continue }
                values[i] = Double(v) / ticksPerSecond
            }
            result.append(
                CPUTimes(
                    cpu: String(fields[0]), user: values[0], nice: values[1], system: values[2], idle: values[3],
                    wait: values[4], interrupt: values[5], softirq: values[6], steal: values[7]))
        }
        return result
    }

    /// `btime` of `/proc/stat`: boot time in seconds since the epoch, the start of every host cumulative sum.
    static func bootTime(procStat text: Substring) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return UInt64(line.dropFirst(6).trimmingSpaces())
        }
        return nil
    }
}

/// `/proc/meminfo`, in bytes.
struct MemoryInfo: Equatable, Sendable {
    var total: UInt64
    var free: UInt64
    var buffers: UInt64
    var cached: UInt64
    var slabReclaimable: UInt64
    var slabUnreclaimable: UInt64

    /// What is left once free, buffers, page cache and slab are taken out of the total, so that the states
    /// `used`, `free`, `buffered`, `cached`, `slab_reclaimable` and `slab_unreclaimable` add up to the total.
    var used: UInt64 {
        let other = free &+ buffers &+ cached &+ slabReclaimable &+ slabUnreclaimable
        return total > other ? total - other : 0
    }

    static func parse(_ text: Substring) -> MemoryInfo? {
        var values: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let rest = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
            guard let number = rest.first.flatMap({ UInt64($0) }) else { continue }
            // The kernel writes "kB" but means KiB.
            values[key] = rest.count > 1 && rest[1] == "kB" ? number * 1024 : number
        }
        guard let total = values["MemTotal"], let free = values["MemFree"] else { return nil }
        return MemoryInfo(
            total: total, free: free, buffers: values["Buffers"] ?? 0, cached: values["Cached"] ?? 0,
            slabReclaimable: values["SReclaimable"] ?? 0, slabUnreclaimable: values["SUnreclaim"] ?? 0)
    }
}

/// `/proc/loadavg`: run-queue averages over 1, 5 and 15 minutes.
struct LoadAverage: Equatable, Sendable {
    var one: Double
    var five: Double
    var fifteen: Double

    static func parse(_ text: Substring) -> LoadAverage? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3, let a = Double(fields[0]), let b = Double(fields[1]), let c = Double(fields[2]) else {
            return nil
        }
        return LoadAverage(one: a, five: b, fifteen: c)
    }
}

/// This process's line of `/proc/self/stat`.
struct ProcessStat: Equatable, Sendable {
    var userSeconds: Double
    var systemSeconds: Double
    var threads: Int64
    /// Seconds after boot at which the process started.
    var startSecondsAfterBoot: Double
    var virtualBytes: UInt64
    var residentBytes: UInt64

    /// Fields are counted after the command name's closing parenthesis, since the name may hold spaces and
    /// parentheses itself.
    static func parse(_ text: Substring, ticksPerSecond: Double, pageSize: UInt64) -> ProcessStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state) of proc(5).
        guard fields.count >= 22,
            let utime = UInt64(fields[11]), let stime = UInt64(fields[12]), let threads = Int64(fields[17]),
            let start = UInt64(fields[19]), let vsize = UInt64(fields[20]),
            let rss = UInt64(fields[21].trimmingSpaces())
        else { return nil }
        return ProcessStat(
            userSeconds: Double(utime) / ticksPerSecond, systemSeconds: Double(stime) / ticksPerSecond,
            threads: threads, startSecondsAfterBoot: Double(start) / ticksPerSecond, virtualBytes: vsize,
            residentBytes: rss * pageSize)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\n" || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" { s.removeLast() }
        return s
    }
}
