import ComponentKit
import ConfigTestSupport
import GatewayConfig
import Testing

/// The strict reader's behaviour, seen through component sections.
@Suite struct MappingReaderTests {
    private func grpc(_ body: String) -> [String] {
        problems(document(receivers: "otlp:\n  protocols:\n    grpc:\n" + body))
    }

    @Test func wrongScalarTypes() {
        #expect(
            grpc("      max_recv_msg_size_mib: abc") == [
                #"receivers.otlp.protocols.grpc.max_recv_msg_size_mib: expected an integer, got "abc""#
            ])
        #expect(
            grpc("      max_recv_msg_size_mib: 4.5") == [
                #"receivers.otlp.protocols.grpc.max_recv_msg_size_mib: expected an integer, got "4.5""#
            ])
        #expect(
            grpc("      max_recv_msg_size_mib: {a: 1}") == [
                "receivers.otlp.protocols.grpc.max_recv_msg_size_mib: expected an integer, got a mapping"
            ])
        #expect(
            grpc("      read_buffer_size: 99999999999999999999") == [
                #"receivers.otlp.protocols.grpc.read_buffer_size: expected an integer, got "99999999999999999999""#
            ])
        #expect(
            grpc("      endpoint: [a, b]") == ["receivers.otlp.protocols.grpc.endpoint: expected host:port, got a list"]
        )
    }

    @Test func integersAcceptSignsAndUnderscores() {
        #expect(grpc("      read_buffer_size: 1_000") == [])
        #expect(grpc("      read_buffer_size: +5") == [])
        #expect(
            grpc("      read_buffer_size: 1__0") == [
                #"receivers.otlp.protocols.grpc.read_buffer_size: expected an integer, got "1__0""#
            ])
        #expect(
            grpc("      read_buffer_size: _1") == [
                #"receivers.otlp.protocols.grpc.read_buffer_size: expected an integer, got "_1""#
            ])
    }

    @Test func nullKeepsDefaultButQuotedEmptyIsAValue() {
        #expect(grpc("      endpoint:") == [])
        #expect(grpc("      endpoint: ~") == [])
        #expect(
            grpc("      endpoint: \"\"") == [#"receivers.otlp.protocols.grpc.endpoint: expected host:port, got """#])
    }

    @Test func unknownKeysInDocumentOrderAfterOtherProblems() {
        #expect(
            grpc("      zeta: 1\n      endpoint: bad\n      alpha: 2") == [
                #"receivers.otlp.protocols.grpc.endpoint: expected host:port, got "bad""#,
                "receivers.otlp.protocols.grpc.zeta: unknown key",
                "receivers.otlp.protocols.grpc.alpha: unknown key",
            ])
    }

    @Test func componentMustBeAMapping() {
        #expect(problems(document(exporters: "debug: loud")) == [#"exporters.debug: expected a mapping, got "loud""#])
    }
}
