import AttributeActions
import AttributesProcessor
import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import Testing

/// The actions as the Collector's `attraction` package defines them, decoded from YAML through a real `attributes`
/// processor section.
@Suite struct AttributeActionTests {
    static func actions(_ body: String) throws -> AttributeActions {
        let yaml = document(
            processors: "attributes:\n  actions:\n" + body,
            service:
                "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [attributes]\n    exporters: [debug]")
        let config = try GatewayConfiguration.parse(yaml: yaml, environment: [:])
        let processor = try #require(config.processors[ComponentID(type: "attributes")] as? AttributesProcessorConfig)
        return processor.actions
    }

    static func problemsOf(_ body: String) -> [String] {
        problems(
            document(
                processors: "attributes:\n  actions:\n" + body,
                service:
                    "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [attributes]\n    exporters: [debug]"
            ))
    }

    static func applied(_ body: String, to attributes: Attributes) throws -> Attributes {
        var out = attributes
        try actions(body).apply(to: &out)
        return out
    }

    let base: Attributes = ["a": .string("x"), "n": .int(5), "s": .string("42"), "path": .string("/api/v1/users/123")]

    @Test func insertUpdateUpsertFollowTheirRules() throws {
        let out = try Self.applied(
            """
                - {key: a, value: new, action: insert}
                - {key: b, value: 1.5, action: insert}
                - {key: c, value: nope, action: update}
                - {key: n, value: true, action: update}
                - {key: d, from_attribute: a, action: upsert}
                - {key: e, from_attribute: missing, action: upsert}
            """, to: base)
        #expect(out["a"] == .string("x"))
        #expect(out["b"] == .double(1.5))
        #expect(out["c"] == nil)
        #expect(out["n"] == .bool(true))
        #expect(out["d"] == .string("x"))
        #expect(out["e"] == nil)
    }

    @Test func deleteAndHashByKeyAndPattern() throws {
        let out = try Self.applied(
            """
                - {key: a, action: hash}
                - {pattern: ^p, action: delete}
                - {key: n, action: hash}
            """, to: base)
        // sha256("x")
        #expect(out["a"] == .string("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"))
        #expect(out["path"] == nil)
        // sha256 of 5 as 8 little-endian bytes
        #expect(out["n"] == .string("f13ee6ed54ea2aae9fc49a9faeb5da6e8ddef0e12ed5d30d35a624ae813e0485"))
        #expect(out["s"] == .string("42"))
    }

    @Test func extractAndConvert() throws {
        let out = try Self.applied(
            """
                - {key: path, pattern: '^/api/(?P<version>v[0-9]+)/(?P<resource>[a-z]+)/', action: extract}
                - {key: s, converted_type: int, action: convert}
                - {key: n, converted_type: string, action: convert}
                - {key: a, converted_type: double, action: convert}
            """, to: base)
        #expect(out["version"] == .string("v1"))
        #expect(out["resource"] == .string("users"))
        #expect(out["s"] == .int(42))
        #expect(out["n"] == .string("5"))
        #expect(out["a"] == .string("x"))
    }

    @Test func configProblemsAreReportedWhereTheyAre() {
        #expect(
            Self.problemsOf(
                """
                    - {key: a, action: insert}
                    - {action: delete}
                    - {key: b, value: 1, from_attribute: c, action: upsert}
                    - {key: c, pattern: '(', action: extract}
                    - {key: d, pattern: '(x)', action: extract}
                    - {key: e, action: convert}
                    - {key: f, action: explode}
                    - {key: g, value: 1, action: delete}
                """) == [
                    "processors.attributes.actions[0].value: required: value or from_attribute",
                    "processors.attributes.actions[1].key: required: key or pattern",
                    "processors.attributes.actions[2].from_attribute: value and from_attribute are both set; use one",
                    #"processors.attributes.actions[3].pattern: invalid regular expression "(": "#
                        + Self.regexError("("),
                    "processors.attributes.actions[4].pattern: has no named groups like (?P<name>...) to extract into",
                    "processors.attributes.actions[5].converted_type: required: int, double or string",
                    #"processors.attributes.actions[6].action: unknown action "explode"; expected one of insert, update, upsert, delete, hash, extract, convert"#,
                    "processors.attributes.actions[7].value: not used by action delete",
                ])
        #expect(
            problems(
                document(
                    processors: "attributes:\n  actions: []",
                    service:
                        "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [attributes]\n    exporters: [debug]"
                ))
                == ["processors.attributes.actions: required: at least one action"])
    }

    @Test func sha256MatchesKnownDigests() {
        // Long enough to span several 64-byte blocks.
        var attributes: Attributes = ["long": .string(String(repeating: "abc", count: 100)), "empty": .string("")]
        AttributeActions([
            AttributeAction(kind: .hash, key: "long", source: nil, pattern: nil, groupNames: [], convertedType: nil),
            AttributeAction(kind: .hash, key: "empty", source: nil, pattern: nil, groupNames: [], convertedType: nil),
        ]).apply(to: &attributes)
        #expect(attributes["long"] == .string("d9f5aeb06abebb3be3f38adec9a2e3b94228d52193be923eb4e24c9b56ee0930"))
        #expect(attributes["empty"] == .string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    }

    static func regexError(_ pattern: String) -> String {
        do {
            _ = try Regex(pattern)
            return ""
        } catch { return "\(error)" }
    }
}
