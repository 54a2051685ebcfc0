import GatewayCore
import HTTP2Transport
import Logging
import OTLPWire
import SelfTelemetry
import Testing

@testable import OTLPExporter

func retryInfoStatus(seconds: Int) -> [UInt8] {
    OTLPProtobuf.encodeStatus(code: 8, message: "slow down", retryAfterSeconds: seconds)
}

@Suite struct OTLPExporterClassificationTests {
    typealias Exporter = OTLPExporter<Traces>

    func isRetryable(_ o: Exporter.Outcome, after expected: Duration? = nil) -> Bool {
        if case .retryable(_, let after) = o { return after == expected }
        return false
    }

    func isPermanent(_ o: Exporter.Outcome) -> Bool {
        if case .permanent = o { return true }
        return false
    }

    @Test func grpcCodesFollowTheOTLPRetryRules() {
        for code: Int32 in [1, 4, 10, 11, 14, 15] {
            #expect(
                isRetryable(
                    Exporter.classify(
                        GRPCCallResult(status: .init(rawValue: code), message: "", response: [], details: nil))),
                "code \(code)")
        }
        for code: Int32 in [2, 3, 5, 6, 7, 9, 12, 13, 16] {
            #expect(
                isPermanent(
                    Exporter.classify(
                        GRPCCallResult(status: .init(rawValue: code), message: "", response: [], details: nil))),
                "code \(code)")
        }
    }

    @Test func resourceExhaustedIsRetryableOnlyWithRetryInfo() {
        #expect(
            isPermanent(
                Exporter.classify(GRPCCallResult(status: .resourceExhausted, message: "", response: [], details: nil))))
        let withInfo = Exporter.classify(
            GRPCCallResult(status: .resourceExhausted, message: "", response: [], details: retryInfoStatus(seconds: 7)))
        #expect(isRetryable(withInfo, after: .seconds(7)))
        let unavailable = Exporter.classify(
            GRPCCallResult(status: .unavailable, message: "", response: [], details: retryInfoStatus(seconds: 2)))
        #expect(isRetryable(unavailable, after: .seconds(2)))
    }

    @Test func partialSuccessIsReported() {
        let response = OTLPProtobuf.encodeExportResponse(rejected: 4, errorMessage: "bad spans")
        guard
            case .success(let rejected, let message) = Exporter.classify(
                GRPCCallResult(status: .ok, message: "", response: response, details: nil))
        else {
            Issue.record("expected success")
            return
        }
        #expect(rejected == 4)
        #expect(message == "bad spans")
    }

    @Test func httpStatusesFollowTheOTLPRetryRules() {
        func response(_ status: Int, _ headers: [(String, String)] = []) -> HTTP1ResponseForTest {
            HTTP1ResponseForTest(status: status, headers: headers)
        }
        for status in [429, 502, 503, 504] {
            #expect(isRetryable(Exporter.classify(response(status).value, json: false)), "status \(status)")
        }
        for status in [400, 401, 403, 404, 413, 500, 501] {
            #expect(isPermanent(Exporter.classify(response(status).value, json: false)), "status \(status)")
        }
        #expect(
            isRetryable(Exporter.classify(response(503, [("Retry-After", "9")]).value, json: false), after: .seconds(9))
        )
    }

    @Test func sendingQueueRefusesWhenFullAndCountsIt() throws {
        let registry = TelemetryRegistry()
        let exporter = Exporter(
            name: "otlp/x",
            settings: .init(transport: .grpc(host: "127.0.0.1", port: 1), queueLimits: .requests(2), numConsumers: 1),
            registry: registry, logger: Logger(label: "t"))
        let spans = Traces(resourceSpans: [
            ResourceSpans(scopeSpans: [
                ScopeSpans(spans: [Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: 1), name: "s")])
            ])
        ])
        _ = try exporter.consume(spans)
        _ = try exporter.consume(spans)
        let error = #expect(throws: PipelineError.self) { try exporter.consume(spans) }
        #expect(error?.isRetryable == true)
        #expect(registry.value("otelcol_exporter_enqueue_failed_spans_total", labels: ["exporter": "otlp/x"]) == 1)
        #expect(registry.value("otelcol_exporter_queue_size", labels: ["exporter": "otlp/x"]) == 2)
    }
}

@Suite struct SendingQueueTests {
    static func request(_ n: Int, bytes: Int = 10) -> EncodedRequest {
        EncodedRequest(body: Array(repeating: UInt8(truncatingIfNeeded: n), count: bytes), items: n)
    }

    @Test func fifoBoundedAndDrainsAfterClose() async {
        let queue = SendingQueue(limits: .requests(3))
        #expect(queue.push(Self.request(1)))
        #expect(queue.push(Self.request(2)))
        #expect(queue.push(Self.request(3)))
        #expect(!queue.push(Self.request(4)))
        #expect(await queue.pop()?.items == 1)
        #expect(queue.push(Self.request(5)))
        queue.close()
        #expect(!queue.push(Self.request(6)))
        #expect(await queue.pop()?.items == 2)
        #expect(await queue.pop()?.items == 3)
        #expect(await queue.pop()?.items == 5)
        #expect(await queue.pop() == nil)
    }

    @Test func boundedInBytesAndInItems() async {
        let bytes = SendingQueue(limits: QueueLimits(sizer: .bytes, size: 100))
        #expect(bytes.push(Self.request(1, bytes: 60)))
        #expect(!bytes.push(Self.request(2, bytes: 50)), "60 + 50 bytes is over 100")
        #expect(bytes.push(Self.request(3, bytes: 40)))
        #expect(bytes.bytes == 100)
        #expect(await bytes.pop()?.items == 1)
        #expect(bytes.bytes == 40)
        #expect(bytes.push(Self.request(4, bytes: 60)))
        // An empty queue takes one request larger than its whole budget rather than refusing it for ever.
        let small = SendingQueue(limits: QueueLimits(sizer: .bytes, size: 10))
        #expect(small.push(Self.request(1, bytes: 500)))
        #expect(!small.push(Self.request(1, bytes: 1)))
        let items = SendingQueue(limits: QueueLimits(sizer: .items, size: 10, byteCeiling: 1000))
        #expect(items.push(Self.request(6)))
        #expect(!items.push(Self.request(5)), "6 + 5 items is over 10")
        #expect(items.push(Self.request(4)))
        let ceiling = SendingQueue(limits: QueueLimits(sizer: .requests, size: 100, byteCeiling: 25))
        #expect(ceiling.push(Self.request(1, bytes: 20)))
        #expect(!ceiling.push(Self.request(1, bytes: 20)), "the byte ceiling applies whatever the sizer")
    }

    @Test func encodedRequestsAreKeptInAllocationsOfTheirOwnSize() {
        var grown: [UInt8] = []
        for i in 0..<5000 { grown.append(UInt8(truncatingIfNeeded: i)) }
        let compact = EncodedRequest.compact(grown)
        #expect(compact == grown)
        #expect(compact.capacity < grown.count + grown.count / 8 + 64)
    }

    @Test func waitingConsumerGetsTheNextPush() async {
        let queue = SendingQueue(limits: .requests(1))
        async let popped = queue.pop()
        try? await Task.sleep(for: .milliseconds(20))
        #expect(queue.push(Self.request(42)))
        #expect(await popped?.items == 42)
    }
}
