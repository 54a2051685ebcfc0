public import ComponentKit

/// Everything wrong with a configuration, found in one pass.
///
/// Each problem is one line, `yaml.path: message`, naming the path with dots and component IDs as the
/// Collector writes them (`exporters.otlp/tempo: unknown type "otlp"`). Problems appear in a defined order:
/// sections in the order receivers, processors, exporters, connectors, extensions, service, keys within a
/// section in document order, unknown keys after the known ones.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// One line per problem, `yaml.path: message`.
    public let problems: [String]

    /// Creates an error from problem lines; `problems` must not be empty.
    public init(problems: [String]) {
        precondition(!problems.isEmpty, "ConfigError needs at least one problem")
        self.problems = problems
    }

    /// Problems listed before the rest are summarised in one line: a generated or mangled file can have
    /// thousands, and the first ones say what is wrong.
    public static let maxListedProblems = 100

    /// `problems`, with those past `maxListedProblems` replaced by one summary line.
    static func capped(_ problems: [String]) -> [String] {
        guard problems.count > maxListedProblems else { return problems }
        let rest = problems.count - maxListedProblems
        return Array(problems.prefix(maxListedProblems)) + ["... and \(rest) more problems (\(problems.count) in all)"]
    }

    /// The problems, one per line.
    public var description: String { problems.joined(separator: "\n") }
}
