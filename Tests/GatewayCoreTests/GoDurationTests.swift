import GatewayCore
import Testing

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("200ms", Duration.milliseconds(200)),
        ("5s", .seconds(5)),
        ("1m30s", .seconds(90)),
        ("1h", .seconds(3600)),
        ("500us", .microseconds(500)),
        ("1\u{00B5}s", .microseconds(1)),
        ("1\u{03BC}s", .microseconds(1)),
        ("7ns", .nanoseconds(7)),
        ("0", .zero),
        ("-0", .zero),
        ("0s", .zero),
        ("+5s", .seconds(5)),
        ("-1.5s", .milliseconds(-1500)),
        ("1.5h", .seconds(5400)),
        (".5s", .milliseconds(500)),
        ("5.s", .seconds(5)),
        ("1s1s", .seconds(2)),
        ("1h2m3s4ms5us6ns", .nanoseconds(3_723_004_005_006)),
        ("0.000000001s", .nanoseconds(1)),
        ("1.0000000001s", .seconds(1)),
        ("9223372036854775807ns", .nanoseconds(Int64.max)),
        ("-9223372036854775808ns", .nanoseconds(Int64.min)),
        ("2562047h", .seconds(2_562_047 * 3600)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(parseGoDuration(text) == expected)
    }

    @Test(arguments: [
        "", "200", "1", "-", "+", ".", ".s", "s", "5x", "5S", "1 s", " 1s", "1s ", "fast", "1e3s", "--5s",
        "9223372036854775808ns", "2562048h", "1.5", "0x10s",
    ])
    func refuses(text: String) {
        #expect(parseGoDuration(text) == nil)
    }
}
