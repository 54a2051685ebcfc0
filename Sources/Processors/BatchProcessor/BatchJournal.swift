internal import FileIO
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// The batch processor's buffer on disk, for pipelines whose exporters have a persistent sending queue: every
/// request the processor accepts is appended here before the client hears "accepted", so a crash (kill -9)
/// while data waits for its batch loses nothing; the next start hands it on again.
///
/// Records go to the current segment file (`<sequence>.journal`), each a 4-byte little-endian length and the
/// encoded request. A flush takes the batch and the segments holding it together (`takeSegments`, under the
/// processor's lock, so no record is split from its data); once the next stage has the batch (a persistent
/// queue has written it), `release` deletes those segments. A crash between the two sends that batch twice:
/// at least once, with a window of one file operation. A torn last record (a crash mid-append) is ignored.
public final class BatchJournal: Sendable {
    /// Why the journal cannot be opened or written.
    public struct JournalError: Error, CustomStringConvertible {
        public var description: String
    }

    private struct State {
        var fd: Int32 = -1
        var current: UInt64 = 0
        /// Segments holding buffered data, oldest first (the current one last).
        var held: [UInt64] = []
    }

    public let directory: String
    public let fsync: Bool
    /// Records found on disk at open, oldest first: what an earlier run accepted and never handed on.
    public let recovered: [[UInt8]]
    private let state: Mutex<State>

    /// Opens `directory` (created if missing), reads what an earlier run left, and starts a new segment.
    public init(directory: String, fsync: Bool) throws(JournalError) {
        self.directory = directory
        self.fsync = fsync
        if mkdir(directory, 0o750) != 0, errno != EEXIST {
            throw JournalError(description: "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        var segments: [UInt64] = []
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name.hasSuffix(".journal"), let sequence = UInt64(name.dropLast(8)) { segments.append(sequence) }
            }
            closedir(dir)
        }
        segments.sort()
        var records: [[UInt8]] = []
        for sequence in segments { records += Self.records(in: directory + "/" + Self.name(sequence)) }
        recovered = records
        var initial = State()
        initial.held = segments
        initial.current = (segments.last ?? 0) + 1
        initial.fd = open(
            directory + "/" + Self.name(initial.current), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard initial.fd >= 0 else {
            throw JournalError(description: "cannot write in \(directory): \(String(cString: strerror(errno)))")
        }
        initial.held.append(initial.current)
        state = Mutex(initial)
    }

    deinit {
        state.withLock { s in if s.fd >= 0 { close(s.fd) } }
    }

    static func name(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".journal"
    }

    /// Appends one record; throws when it could not be written whole (the caller refuses the data).
    public func append(_ record: [UInt8]) throws(JournalError) {
        var framed = [UInt8](repeating: 0, count: 4)
        let n = UInt32(record.count)
        for i in 0..<4 { framed[i] = UInt8(truncatingIfNeeded: n >> (8 * UInt32(i))) }
        framed += record
        let ok = state.withLock { s -> Bool in
            let written = framed.withUnsafeBytes { write(s.fd, $0.baseAddress, $0.count) }
            guard written == framed.count else {
                // A partial record would read as torn and be skipped; cut it off so later records stay readable.
                if written > 0 { ftruncate(s.fd, lseek(s.fd, 0, SEEK_CUR) - off_t(written)) }
                return false
            }
            if fsync { _ = Glibc.fsync(s.fd) }
            return true
        }
        guard ok else { throw JournalError(description: "cannot write the batch journal in \(directory)") }
    }

    /// The segments holding everything appended so far; later appends go to a new segment. Call together with
    /// taking the buffer, under the same lock.
    public func takeSegments() -> [UInt64] {
        state.withLock { s in
            let taken = s.held
            close(s.fd)
            s.current += 1
            s.fd = open(directory + "/" + Self.name(s.current), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            s.held = [s.current]
            return taken
        }
    }

    /// Gives back segments taken with data the next stage refused for now: they hold it again until a later flush.
    public func restore(_ segments: [UInt64]) {
        guard !segments.isEmpty else { return }
        state.withLock { s in s.held = (segments + s.held).sorted() }
    }

    /// Deletes segments whose data the next stage now has.
    public func release(_ segments: [UInt64]) {
        for sequence in segments { unlink(directory + "/" + Self.name(sequence)) }
    }

    /// The whole records of a segment file, stopping at a torn one.
    static func records(in path: String) -> [[UInt8]] {
        guard case .success(let bytes) = WholeFile.read(path) else { return [] }
        var out: [[UInt8]] = []
        var i = 0
        while bytes.count - i >= 4 {
            var n = 0
            for k in 0..<4 { n |= Int(bytes[i + k]) << (8 * k) }
            guard bytes.count - i - 4 >= n else { break }
            out.append(Array(bytes[(i + 4)..<(i + 4 + n)]))
            i += 4 + n
        }
        return out
    }
}
