#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unix time, as OTLP timestamps and Prometheus samples carry it. Durations use a monotonic clock instead.
public enum WallClock {
    /// Nanoseconds since the Unix epoch.
    public static func nowUnixNano() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
