#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Directories that queues and journals keep their files in.
public enum Directory {
    /// Why a directory cannot be used.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks that `path` is a writable directory, creating it (and its parents) when `create` is true.
    public static func ensure(_ path: String, create: Bool) throws(Problem) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw Problem(description: "\(path) is not a directory") }
            guard access(path, W_OK) == 0 else { throw Problem(description: "\(path) is not writable") }
            return
        }
        guard create else {
            throw Problem(description: "\(path) does not exist (create it, or set create_directory: true)")
        }
        // Parents first, as `mkdir -p`.
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o750) != 0 && errno != EEXIST {
                throw Problem(description: "cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

}
