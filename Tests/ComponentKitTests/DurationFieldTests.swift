import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct DurationFieldTests {
    @Test func fieldProblems() {
        func timeout(_ value: String) -> [String] {
            problems(document(processors: "batch:\n  timeout: \(value)"))
        }
        #expect(timeout("fast") == [#"processors.batch.timeout: expected a duration like 200ms or 5s, got "fast""#])
        #expect(
            timeout("200") == [
                #"processors.batch.timeout: expected a duration like 200ms or 5s, got "200" (a bare number has no unit)"#
            ])
        #expect(timeout("-1s") == [#"processors.batch.timeout: must not be negative, got "-1s""#])
        #expect(timeout("[1s]") == [#"processors.batch.timeout: expected a duration like 200ms or 5s, got a list"#])
    }
}
