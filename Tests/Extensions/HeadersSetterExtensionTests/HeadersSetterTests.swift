import ConfigTestSupport
import GatewayCore
import Testing

@testable import HeadersSetterExtension

@Suite struct HeadersSetterTests {
    func setter(_ headers: [HeadersSetterConfig.Header]) -> HeadersSetter { HeadersSetter(headers: headers) }

    @Test func fromContextTakesTheRequestsValueOrTheDefault() {
        let s = setter([
            .init(
                key: "X-Scope-OrgID", value: nil, fromContext: "x-scope-orgid", defaultValue: "anonymous",
                action: .upsert)
        ])
        #expect(s.usesMetadata)
        var headers: [(String, String)] = [("x-scope-orgid", "spoofed"), ("other", "1")]
        s.apply(to: &headers, metadata: ClientMetadata(headers: [("X-Scope-OrgID", "team-a")]))
        #expect(headers.map { "\($0.0)=\($0.1)" } == ["other=1", "X-Scope-OrgID=team-a"])
        var empty: [(String, String)] = []
        s.apply(to: &empty, metadata: .empty)
        #expect(empty.map { "\($0.0)=\($0.1)" } == ["X-Scope-OrgID=anonymous"])
    }

    @Test func actionsInsertUpdateAndDelete() {
        let s = setter([
            .init(key: "a", value: "new", fromContext: nil, defaultValue: nil, action: .insert),
            .init(key: "b", value: "new", fromContext: nil, defaultValue: nil, action: .insert),
            .init(key: "c", value: "new", fromContext: nil, defaultValue: nil, action: .update),
            .init(key: "d", value: "new", fromContext: nil, defaultValue: nil, action: .update),
            .init(key: "e", value: nil, fromContext: nil, defaultValue: nil, action: .delete),
        ])
        #expect(!s.usesMetadata)
        var headers: [(String, String)] = [("a", "old"), ("c", "old"), ("e", "old")]
        s.apply(to: &headers, metadata: .empty)
        #expect(headers.map { "\($0.0)=\($0.1)" } == ["a=old", "b=new", "c=new"])
    }

    @Test func configProblemsAreNamed() {
        let found = problems(
            document(
                extensions: "headers_setter:\n  headers:\n    - {key: X, value: a, from_context: b}\n"
                    + "    - {key: Y, action: replace, value: x}\n    - {value: z}",
                service: "extensions: [headers_setter]\npipelines:\n  traces:\n    receivers: [otlp]\n"
                    + "    exporters: [debug]"))
        #expect(found.contains { $0.hasPrefix("extensions.headers_setter.headers[0]: exactly one of value") })
        #expect(found.contains { $0.hasPrefix("extensions.headers_setter.headers[1].action") })
        #expect(found.contains { $0.hasPrefix("extensions.headers_setter.headers[2].key: required") })
    }

    @Test func anExporterMayReferenceIt() {
        #expect(
            problems(
                document(
                    receivers: "otlp:\n  protocols:\n    grpc:\n      include_metadata: true",
                    processors: "batch:\n  metadata_keys: [X-Scope-OrgID]",
                    exporters: "otlp:\n  endpoint: backend:4317\n  auth:\n    authenticator: headers_setter",
                    extensions: "headers_setter:\n  headers:\n    - {key: X-Scope-OrgID, from_context: X-Scope-OrgID}",
                    service: "extensions: [headers_setter]\npipelines:\n  traces:\n    receivers: [otlp]\n"
                        + "    processors: [batch]\n    exporters: [otlp]")) == [])
    }
}
