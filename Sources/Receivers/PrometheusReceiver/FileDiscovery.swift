internal import FileIO
internal import Yams

#if canImport(Glibc)
    internal import Glibc
#endif

/// `file_sd_configs`: target groups read from JSON or YAML files (`[{targets: [...], labels: {...}}]`), the file
/// names possibly globbed in their last path element, as Prometheus reads them. Files are checked every second
/// and read again when one changes, appears or goes, and every `refresh_interval` regardless.
public struct FileDiscovery: Sendable {
    public var patterns: [String]
    public var refreshInterval: Duration

    /// One target group, with the file it came from (`__meta_filepath`).
    public struct Group: Sendable, Equatable {
        public var targets: [String]
        public var labels: [String: String]
        public var file: String
    }

    /// The files the patterns match now, sorted.
    func files() -> [String] {
        var out: [String] = []
        for pattern in patterns {
            guard let slash = pattern.lastIndex(of: "/") else {
                out.append(contentsOf: Self.matching(directory: ".", pattern: pattern).map { "./" + $0 })
                continue
            }
            let directory = String(pattern[..<slash])
            let name = String(pattern[pattern.index(after: slash)...])
            if name.contains(where: { "*?[".contains($0) }) {
                out.append(contentsOf: Self.matching(directory: directory, pattern: name).map { directory + "/" + $0 })
            } else {
                out.append(pattern)
            }
        }
        return Array(Set(out)).sorted()
    }

    static func matching(directory: String, pattern: String) -> [String] {
        guard let dir = opendir(directory.isEmpty ? "/" : directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != "..", fnmatch(pattern, name, 0) == 0 { names.append(name) }
        }
        return names
    }

    /// Modification times of the files now: a change in this map means a read is due.
    func fingerprint() -> [String: Int] {
        var out: [String: Int] = [:]
        for file in files() {
            var info = stat()
            if stat(file, &info) == 0 {
                out[file] = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
            }
        }
        return out
    }

    /// The groups of every file; a file that cannot be read or parsed contributes nothing and is named in
    /// `problems` (Prometheus keeps the last good read of it; here its targets go until it is fixed).
    func read() -> (groups: [Group], problems: [String]) {
        var groups: [Group] = []
        var problems: [String] = []
        for file in files() {
            guard let text = WholeFile.text(file) else {
                problems.append("\(file): cannot read")
                continue
            }
            do {
                guard let list = try Yams.load(yaml: text) as? [Any] else {
                    problems.append("\(file): expected a list of {targets, labels}")
                    continue
                }
                for item in list {
                    guard let group = item as? [String: Any] else {
                        problems.append("\(file): expected a list of {targets, labels}")
                        continue
                    }
                    let targets = (group["targets"] as? [Any] ?? []).map { "\($0)" }
                    var labels: [String: String] = [:]
                    for (key, value) in group["labels"] as? [String: Any] ?? [:] { labels[key] = "\(value)" }
                    groups.append(Group(targets: targets, labels: labels, file: file))
                }
            } catch {
                problems.append("\(file): \(error)")
            }
        }
        return (groups, problems)
    }
}
