public import ComponentKit
internal import Yams

/// Refuses YAML whose aliases would expand past a budget ("billion laughs"), before anything expands them.
///
/// Yams resolves an alias to a copy of the anchored node, so a 1 KB document of nested aliases expands to
/// billions of values in every walk over it, and a mapping key that is an aliased collection is hashed (for the
/// duplicate-key check) through its whole expansion while composing. So documents that contain aliases are first
/// composed with every alias replaced by a placeholder scalar (same structure, nothing to expand), and that tree
/// is measured: each anchor's expanded size is computed once, in document order, and summed. Only a document
/// within budget, whose mapping keys are plain scalars, is then composed for real.
enum AliasGuard {
    /// Values (scalars, lists, mappings) a configuration may expand to. A large Collector config has a few thousand.
    static let maxExpandedValues = 100_000

    /// Stands for an alias in the placeholder document: a private-use character no configuration starts with.
    private static let marker: Unicode.Scalar = "\u{E000}"

    /// A one-line problem, or nil when `yaml` may be composed.
    static func check(_ yaml: String) -> String? {
        guard yaml.utf8.contains(UInt8(ascii: "*")) else { return nil }
        let placeholder = replacingAliases(yaml)
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: placeholder)
            root = try parser.singleRoot()
        } catch {
            // The real composition reports the syntax error.
            return nil
        }
        guard let root else { return nil }
        // Anchors are weak references held by the parser: keep it alive while the tree is walked.
        return withExtendedLifetime(parser) {
            var measure = Measure()
            measure.total = measure.size(of: root)
            if let problem = measure.problem { return problem }
            if measure.total > maxExpandedValues {
                return "yaml: the document expands to more than \(maxExpandedValues) values through its aliases "
                    + "(*name references to &name anchors); refused as an alias bomb"
            }
            return nil
        }
    }

    /// `*name` wherever it can start an alias (after whitespace, a flow indicator, or at the start) becomes the
    /// marker followed by `name`: a plain scalar in the same place. Inside quoted text or comments the change is
    /// harmless, since this document is only measured.
    static func replacingAliases(_ yaml: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar = "\n"
        let scalars = Array(yaml.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            if scalar == "*", " \t\r\n[{,:".unicodeScalars.contains(previous), i + 1 < scalars.count,
                !" \t\r\n[]{},".unicodeScalars.contains(scalars[i + 1])
            {
                out.append(marker)
            } else {
                out.append(scalar)
            }
            previous = scalar
        }
        return String(out)
    }

    private struct Measure {
        var anchors: [String: (size: Int, isCollection: Bool)] = [:]
        var total = 0
        var problem: String?

        /// Expanded size of `node` (saturating at the budget), recording anchors as they complete.
        mutating func size(of node: Node) -> Int {
            guard problem == nil else { return 0 }
            var size = 1
            switch node {
            case .scalar(let scalar):
                if scalar.string.unicodeScalars.first == AliasGuard.marker {
                    let name = String(scalar.string.unicodeScalars.dropFirst())
                    size = anchors[name]?.size ?? 1
                }
            case .sequence(let sequence):
                for element in sequence { size = add(size, self.size(of: element)) }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    if !isPlainKey(key) {
                        let mark = key.mark.map { "line \($0.line), column \($0.column): " } ?? ""
                        problem = "yaml: \(mark)mapping keys must be strings, not collections or aliases of them"
                        return 0
                    }
                    size = add(size, self.size(of: key))
                    size = add(size, self.size(of: value))
                }
            case .alias:
                break
            }
            if let anchor = anchorName(node) {
                let isCollection: Bool
                if case .scalar = node { isCollection = false } else { isCollection = true }
                anchors[anchor] = (size, isCollection)
            }
            return size
        }

        private func isPlainKey(_ key: Node) -> Bool {
            guard case .scalar(let scalar) = key else { return false }
            guard scalar.string.unicodeScalars.first == AliasGuard.marker else { return true }
            let name = String(scalar.string.unicodeScalars.dropFirst())
            return !(anchors[name]?.isCollection ?? false)
        }

        private func anchorName(_ node: Node) -> String? {
            switch node {
            case .scalar(let s): return s.anchor?.rawValue
            case .sequence(let s): return s.anchor?.rawValue
            case .mapping(let m): return m.anchor?.rawValue
            case .alias: return nil
            }
        }

        private func add(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int.max / 2 : Swift.min(sum, Int.max / 2)
        }
    }
}
