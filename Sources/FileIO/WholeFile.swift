#if canImport(Glibc)
    internal import Glibc
#endif

/// Reading a whole file with POSIX calls: the one implementation behind configuration files, `/proc` and cgroup
/// files, credentials, persistent queue entries and journals. Reads until end of file rather than trusting the
/// size `stat` reports (`/proc` files report 0), retries interrupted reads, and stops at `limit`.
public enum WholeFile {
    /// Why a file could not be read: the `errno` and its text.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let code: Int32
        /// True when the file had more than the limit's bytes.
        public let tooLarge: Bool

        public var description: String {
            tooLarge ? "larger than the limit" : String(cString: strerror(code))
        }
    }

    /// The file's bytes, at most `limit` (more is a failure with `tooLarge`).
    public static func read(_ path: String, limit: Int = Int.max) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(code: errno, tooLarge: false)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(code: errno, tooLarge: false))
            }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { return .failure(Failure(code: EFBIG, tooLarge: true)) }
        }
    }

    /// The file as UTF-8 text, or nil when it cannot be read.
    public static func text(_ path: String, limit: Int = Int.max) -> String? {
        guard case .success(let bytes) = read(path, limit: limit) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
