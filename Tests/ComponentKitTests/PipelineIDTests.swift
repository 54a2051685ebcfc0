import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import Testing

@Suite struct PipelineIDTests {
    @Test func parsesSignalAndName() {
        #expect(PipelineID(parsing: "traces") == PipelineID(signal: .traces))
        #expect(PipelineID(parsing: "metrics/remote") == PipelineID(signal: .metrics, name: "remote"))
        #expect(PipelineID(parsing: "logs")?.signal == .logs)
        #expect(PipelineID(parsing: "logs")?.name == nil)
    }

    @Test func describesAsWritten() {
        #expect(PipelineID(signal: .traces).description == "traces")
        #expect(PipelineID(signal: .metrics, name: "foo").description == "metrics/foo")
    }

    @Test(arguments: ["foo", "Traces", "traces/", "", "spans/x"])
    func refuses(text: String) {
        #expect(PipelineID(parsing: text) == nil)
    }
}
