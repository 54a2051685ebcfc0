public import ComponentKit
internal import FileIO

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Reads a configuration file with one-line errors: what is wrong with the path, not a platform error dump.
enum ConfigFile {
    struct Problem: Error {
        let message: String
    }

    /// The file's bytes; refuses what is not a regular file (a directory, a device such as /dev/zero, a FIFO
    /// that would block) and anything over `limit` bytes, before reading it.
    static func load(_ path: String, limit: Int) -> Result<[UInt8], Problem> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(Problem(message: "cannot read the file: \(errorText())")) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(Problem(message: "is a directory, not a configuration file"))
        case S_IFCHR, S_IFBLK: return .failure(Problem(message: "is a device, not a configuration file"))
        case S_IFIFO: return .failure(Problem(message: "is a FIFO (named pipe), not a configuration file"))
        case S_IFSOCK: return .failure(Problem(message: "is a socket, not a configuration file"))
        default: return .failure(Problem(message: "is not a regular file"))
        }
        guard Int(info.st_size) <= limit else {
            return .failure(
                Problem(message: "the file has \(info.st_size) bytes; a configuration may have at most \(limit)"))
        }
        switch WholeFile.read(path, limit: limit) {
        case .success(let bytes): return .success(bytes)
        case .failure(let failure) where failure.tooLarge:
            // The file grew since stat.
            return .failure(
                Problem(message: "the file has more than \(limit) bytes; a configuration may have at most \(limit)"))
        case .failure(let failure):
            return .failure(Problem(message: "cannot read the file: \(errorText(failure.code))"))
        }
    }

    private static func errorText(_ code: Int32 = errno) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case ENOTDIR: return "a component of the path is not a directory"
        case ELOOP: return "too many symbolic links"
        default: return String(cString: strerror(code))
        }
    }
}
