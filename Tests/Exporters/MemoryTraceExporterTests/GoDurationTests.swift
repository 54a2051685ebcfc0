@testable import MemoryTraceExporter
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("0", Duration.zero),
        ("100ms", .milliseconds(100)),
        ("1.5s", .milliseconds(1500)),
        ("2m", .seconds(120)),
        ("1h30m", .seconds(5400)),
        ("300us", .microseconds(300)),
        ("300\u{00B5}s", .microseconds(300)),
        ("300\u{03BC}s", .microseconds(300)),
        ("42ns", .nanoseconds(42)),
        ("1.s", .seconds(1)),
        (".5s", .milliseconds(500)),
        ("+2s", .seconds(2)),
        ("-1.5s", .milliseconds(-1500)),
        ("0.000000001s", .nanoseconds(1)),
        ("1.0000000001s", .seconds(1)),
        ("2562047h", .seconds(2_562_047 * 3600)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "ms", "1", "1.5", "1x", "s1", ".s", "--1s", "1s ", " 1s", "1e3s", "9223372037s", "2562048h", "-"])
    func rejects(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }
}
