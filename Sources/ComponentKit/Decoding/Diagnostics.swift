/// Collects problems while a configuration is decoded, so that all of them are reported at once.
public final class Diagnostics {
    public private(set) var problems: [String] = []
    /// Variables that were unset where a value was expanded, by the value's path: a problem reported there
    /// names them, since "got \"\"" alone hides that the value came from the environment.
    private var unsetVariables: [String: [String]] = [:]

    public init() {}

    public func report(_ path: ConfigPath, _ message: String) {
        var line = "\(path): \(message)"
        if let names = unsetVariables["\(path)"] {
            let list = names.map { "${env:\($0)}" }.joined(separator: ", ")
            line += " (\(list) \(names.count == 1 ? "is" : "are") not set)"
        }
        problems.append(line)
    }

    /// Records that `${env:name}` at `path` expanded to "" because the variable is unset.
    public func noteUnset(_ path: ConfigPath, _ name: String) {
        unsetVariables["\(path)", default: []].append(name)
    }

    /// Reports a problem that belongs to no YAML path (the file itself, YAML syntax).
    public func report(line: String) {
        problems.append(line)
    }
}

/// Quotes a value for a problem message, escaping what would break the one-line format.
public func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
