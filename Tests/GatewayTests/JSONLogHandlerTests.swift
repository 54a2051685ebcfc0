import Logging
import Synchronization
import Testing

@testable import Gateway

@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func oneEscapedObjectPerLine() throws {
        let lines = Lines()
        var handler = JSONLogHandler(label: "otlp-gateway", write: { lines.add($0) })
        handler.logLevel = .info
        handler[metadataKey: "exporter"] = "otlp/tempo"
        let logger = Logger(label: "otlp-gateway", factory: { _ in handler })
        logger.warning("queue \"full\"\nretrying", metadata: ["items": "12", "path": "C:\\x\u{1}"])
        logger.debug("not written at info")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(!line.dropLast().contains("\n"))
        #expect(line.contains(#""level":"warn""#))
        #expect(line.contains(#""msg":"queue \"full\"\nretrying""#))
        #expect(line.contains(#""exporter":"otlp/tempo""#))
        #expect(line.contains(#""items":"12""#))
        #expect(line.contains(#""path":"C:\\x\u0001""#))
        let ts = try #require(line.firstRange(of: #""ts":""#)).upperBound
        // 2026-12-02T17:20:00.123Z
        #expect(line[ts...].prefix(24).last == "Z")
    }
}
