/// Collects problems while a configuration is decoded, so that all of them are reported at once.
final class Diagnostics {
    private(set) var problems: [String] = []

    func report(_ path: ConfigPath, _ message: String) {
        problems.append("\(path): \(message)")
    }

    /// Reports a problem that belongs to no YAML path (the file itself, YAML syntax).
    func report(line: String) {
        problems.append(line)
    }
}

/// Quotes a value for a problem message, escaping what would break the one-line format.
func quoted(_ text: String) -> String {
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
