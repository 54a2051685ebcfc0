import ComponentKit
import GatewayCore
import Synchronization
import Testing

@Suite struct KeyedPartsTests {
    @Test func oneInstancePerKeyMadeOnceAndBounded() async throws {
        let parts = DynamicParts()
        let keyed = KeyedParts<String, Int>(limit: 2, refusal: "too many", parts: parts)
        let made = Mutex(0)
        let ran = Mutex<[String]>([])
        func make(_ key: String) -> (Int, Part?) {
            let n = made.withLock { m in
                m += 1
                return m
            }
            return (n, Part(stage: .exporters, name: key) { ran.withLock { $0.append(key) } })
        }
        #expect(try keyed.instance(for: "a") { make("a") } == 1)
        #expect(try keyed.instance(for: "a") { make("a") } == 1)
        #expect(try keyed.instance(for: "b") { make("b") } == 2)
        let error = #expect(throws: PipelineError.self) { try keyed.instance(for: "c") { make("c") } }
        #expect(error?.isRetryable == false)
        #expect(error?.message == "too many")
        #expect(made.withLock { $0 } == 2)
        // The made parts run with the others.
        let run = Task { await parts.run() }
        parts.finish()
        await run.value
        #expect(ran.withLock { $0.sorted() } == ["a", "b"])
    }
}
