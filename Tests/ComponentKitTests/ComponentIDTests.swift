import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

@Suite struct ComponentIDTests {
    @Test func parsesTypeAndName() throws {
        #expect(ComponentID(parsing: "otlp") == ComponentID(type: "otlp"))
        let named = try #require(ComponentID(parsing: "otlp/tempo"))
        #expect(named.type == "otlp")
        #expect(named.name == "tempo")
        #expect(ComponentID(parsing: "health_check")?.type == "health_check")
        // Only the first slash separates: the rest belongs to the name.
        #expect(ComponentID(parsing: "otlp/a/b")?.name == "a/b")
    }

    @Test func describesAsWritten() {
        #expect(ComponentID(type: "otlp").description == "otlp")
        #expect(ComponentID(type: "otlp", name: "tempo").description == "otlp/tempo")
        #expect(ComponentID(type: "otlp", name: "") == ComponentID(type: "otlp"))
    }

    @Test(arguments: ["", "/x", "otlp/", "1otlp", "ot-lp", "otlp/a b", "otlp/\u{7}", String(repeating: "a", count: 64)])
    func refuses(text: String) {
        #expect(ComponentID(parsing: text) == nil)
    }

    @Test func invalidIDsInSectionsAreReported() {
        #expect(
            problems(document(processors: "1batch:\n\"\":\nbatch/x y:")) == [
                #"processors.1batch: invalid component ID "1batch": the type must start with a letter and contain only letters, digits and _"#,
                #"processors.: invalid component ID "": the type before "/" must not be empty"#,
                #"processors.batch/x y: invalid component ID "batch/x y": the name must not contain spaces or control characters"#,
            ])
    }
}
