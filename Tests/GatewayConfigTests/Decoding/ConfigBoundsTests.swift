import ComponentKit
import ConfigTestSupport
import Foundation
import GatewayConfig
import Testing

/// Configuration input is bounded: alias bombs, files that are not files, unset variables, floods of problems.
@Suite struct ConfigBoundsTests {
    static func billionLaughs(levels: Int = 9) -> String {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in 1...levels {
            lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aliasBombIsRefusedBeforeExpansion() {
        let clock = ContinuousClock()
        let started = clock.now
        let lines = problems(Self.billionLaughs())
        // Expanding the bomb would take far longer (and gigabytes); the bound is loose so a loaded machine passes.
        #expect(clock.now - started < .seconds(30))
        #expect(lines.count == 1)
        #expect(lines.first?.contains("alias bomb") == true)
    }

    @Test func aliasesWithinBudgetAreAllowed() {
        // Four levels of nine: 6,561 leaves, well within the budget; the document fails only for its content.
        let lines = problems(Self.billionLaughs(levels: 4))
        #expect(!lines.contains { $0.contains("alias bomb") })
        let yaml = document(processors: "batch: &b {timeout: 1s}\nbatch/2: *b")
        #expect(problems(yaml) == [])
    }

    @Test func anAliasedCollectionAsAKeyIsRefused() {
        let lines = problems("a: &a [1, 2]\nb:\n  ? *a\n  : x\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("mapping keys must be strings") == true)
    }

    @Test func anUnsetVariableIsNamedWhereItsValueIsWrong() {
        let yaml = document(processors: "batch:\n  send_batch_size: ${env:MISSING_SIZE}")
        let lines = problems(yaml, environment: [:])
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("processors.batch.send_batch_size:") == true)
        #expect(lines.first?.contains("(${env:MISSING_SIZE} is not set)") == true)
        #expect(problems(yaml, environment: ["MISSING_SIZE": "10"]) == [])
    }

    @Test func problemsAreCappedWithASummary() {
        let keys = (0..<500).map { "unknown_\($0): 1" }.joined(separator: "\n")
        let lines = problems(
            document(processors: "batch:\n" + keys.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")))
        #expect(lines.count == ConfigError.maxListedProblems + 1)
        #expect(lines.last == "... and 400 more problems (500 in all)")
    }

    static func loadProblems(_ path: String) -> [String] {
        do {
            _ = try GatewayConfiguration.load(path: path, environment: [:])
            return []
        } catch {
            return error.problems
        }
    }

    @Test func pathsThatAreNotConfigurationFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-bounds-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.yaml").path
        #expect(Self.loadProblems(missing) == ["\(missing): cannot read the file: no such file"])
        #expect(Self.loadProblems(directory.path) == ["\(directory.path): is a directory, not a configuration file"])
        #expect(Self.loadProblems("/dev/zero") == ["/dev/zero: is a device, not a configuration file"])
        let big = directory.appendingPathComponent("big.yaml")
        try Data(repeating: 0x23, count: GatewayConfiguration.maxFileSize + 1).write(to: big)
        #expect(
            Self.loadProblems(big.path) == [
                "\(big.path): the file has \(GatewayConfiguration.maxFileSize + 1) bytes; a configuration may have at most \(GatewayConfiguration.maxFileSize)"
            ])
    }
}
