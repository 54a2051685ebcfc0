internal import FileIO

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The host's memory as the `memory_limiter` sees it: the total a percentage limit is taken of, and the release
/// call used above the hard limit.
public enum SystemMemory {
    /// The memory available to this process in bytes: the cgroup v2 limit (`memory.max`) when one is set, else
    /// MemTotal from `/proc/meminfo`; nil when neither can be read.
    public static func totalBytes(cgroupRoot: String = "/sys/fs/cgroup", procRoot: String = "/proc") -> Int? {
        if let text = readSmallFile(cgroupRoot + "/memory.max"),
            let limit = Int(text.split(whereSeparator: \.isWhitespace).first ?? "")
        {
            // "max" (no limit) does not parse and falls through to the host's total.
            return limit
        }
        guard let meminfo = readSmallFile(procRoot + "/meminfo") else { return nil }
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kib = Int(fields[1]) { return kib << 10 }
        }
        return nil
    }

    /// Returns free heap pages to the system. glibc keeps freed memory in its arenas, so RSS stays high after a
    /// burst; `malloc_trim` is the closest thing to the Collector's forced GC.
    @Sendable public static func release() {
        _ = mallocTrim?(0)
    }
}

/// The first 4 KiB of a file (enough for `memory.max` and the head of `/proc/meminfo`), nil when unreadable.
private func readSmallFile(_ path: String) -> String? {
    guard case .success(let bytes) = WholeFile.read(path, limit: 1 << 20), !bytes.isEmpty else { return nil }
    return String(decoding: bytes.prefix(4096), as: UTF8.self)
}

/// glibc's `malloc_trim`, looked up at run time: the Glibc module does not export `<malloc.h>`, and a C library
/// without it (musl) simply releases nothing.
private let mallocTrim: (@convention(c) (Int) -> Int32)? = {
    #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    #else
        return nil
    #endif
}()
