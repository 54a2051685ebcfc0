#if canImport(Glibc)
    internal import Glibc
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`): every connection is one, so the listeners size their
/// connection limits from it.
public enum OpenFiles {
    /// The soft limit now (at most 2^20).
    public static func limit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: Swift.min(limit.rlim_cur, 1 << 20))
    }

    /// Raises the soft limit to the hard limit (at most 2^20); returns the soft limit afterwards.
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wanted = Swift.min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return self.limit()
    }
}
