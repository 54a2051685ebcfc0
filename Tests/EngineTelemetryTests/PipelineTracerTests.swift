import GatewayCore
import Testing
import Tracing

@testable import EngineTelemetry

@Suite struct PipelineTracerTests {
    static let resource = Resource(attributes: ["service.name": .string("engine-test")])

    struct Instant: TracerInstant {
        var nanosecondsSinceEpoch: UInt64
        static func < (a: Self, b: Self) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    @Test func childSpansShareTheTraceAndPointAtTheirParent() throws {
        let tracer = PipelineTracer(resource: Self.resource)
        let root = tracer.startSpan(
            "request", context: .topLevel, ofKind: .server, at: Instant(nanosecondsSinceEpoch: 100))
        let child = tracer.startSpan("prefill", context: root.context, at: Instant(nanosecondsSinceEpoch: 150))
        child.end(at: Instant(nanosecondsSinceEpoch: 180))
        root.end(at: Instant(nanosecondsSinceEpoch: 200))

        let traces = try #require(tracer.drain())
        #expect(traces.resourceSpans.count == 1)
        #expect(traces.resourceSpans[0].resource == Self.resource)
        #expect(traces.resourceSpans[0].scopeSpans[0].scope.name == "otlp-gateway/engine")
        let spans = traces.spans
        let r = try #require(spans.first { $0.name == "request" })
        let c = try #require(spans.first { $0.name == "prefill" })
        #expect(r.traceID.isValid && r.spanID.isValid)
        #expect(r.parentSpanID == .invalid)
        #expect(r.kind == .server)
        #expect(c.kind == .internal)
        #expect(c.traceID == r.traceID)
        #expect(c.parentSpanID == r.spanID)
        #expect(c.spanID != r.spanID)
        #expect((r.startTimeUnixNano, r.endTimeUnixNano) == (100, 200))
        #expect((c.startTimeUnixNano, c.endTimeUnixNano) == (150, 180))
        #expect(r.flags & 1 == 1, "sampled")

        let other = tracer.startSpan("request", context: .topLevel)
        other.end()
        #expect(tracer.drain()?.spans.first?.traceID != r.traceID, "a new root starts a new trace")
    }

    @Test func attributesEventsLinksAndStatusAreConverted() throws {
        let tracer = PipelineTracer(resource: Self.resource)
        let linked = tracer.startSpan("linked", context: .topLevel)
        let span = tracer.startSpan("work", context: .topLevel, ofKind: .client)
        span.attributes["s"] = "text"
        span.attributes["i"] = 7
        span.attributes["d"] = 0.5
        span.attributes["b"] = true
        span.attributes["list"] = SpanAttribute.stringArray(["a", "b"])
        span.addEvent(Tracing.SpanEvent(name: "tick", at: Instant(nanosecondsSinceEpoch: 42), attributes: ["n": 1]))
        span.addLink(Tracing.SpanLink(context: linked.context, attributes: ["why": "batch"]))
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        span.recordError(Boom())
        span.setStatus(Tracing.SpanStatus(code: .error, message: "it failed"))
        span.end()
        span.attributes["late"] = "ignored"
        span.end()
        linked.end()

        let spans = try #require(tracer.drain()).spans
        #expect(spans.count == 2, "a second end is ignored")
        let s = try #require(spans.first { $0.name == "work" })
        #expect(s.kind == .client)
        #expect(
            s.attributes == [
                "s": .string("text"), "i": .int(7), "d": .double(0.5), "b": .bool(true),
                "list": .array([.string("a"), .string("b")]),
            ]
        )
        #expect(s.status == GatewayCore.SpanStatus(code: .error, message: "it failed"))
        #expect(s.events.count == 2)
        #expect(s.events[0] == GatewayCore.SpanEvent(timeUnixNano: 42, name: "tick", attributes: ["n": .int(1)]))
        #expect(s.events[1].name == "exception")
        #expect(s.events[1].attributes["exception.message"] == .string("boom"))
        #expect(s.links.count == 1)
        #expect(s.links[0].traceID == linked.spanContext.traceID)
        #expect(s.links[0].spanID == linked.spanContext.spanID)
        #expect(s.links[0].attributes == ["why": .string("batch")])
    }

    @Test func okStatusHasNoMessage() throws {
        let tracer = PipelineTracer(resource: Self.resource)
        let span = tracer.startSpan("ok", context: .topLevel)
        span.setStatus(Tracing.SpanStatus(code: .ok, message: "dropped"))
        span.end()
        #expect(tracer.drain()?.spans.first?.status == GatewayCore.SpanStatus(code: .ok))
    }

    @Test func drainEmptiesTheBufferWhichDropsAndCountsWhenFull() throws {
        let tracer = PipelineTracer(resource: Self.resource, maxBufferedSpans: 3)
        #expect(tracer.drain() == nil)
        for i in 0..<5 { tracer.startSpan("s\(i)", context: .topLevel).end() }
        #expect(tracer.bufferedSpanCount == 3)
        #expect(tracer.droppedSpanCount == 2)
        let first = try #require(tracer.drain())
        #expect(first.spans.map(\.name) == ["s0", "s1", "s2"])
        #expect(tracer.drain() == nil, "drained")
        tracer.startSpan("after", context: .topLevel).end()
        #expect(tracer.drain()?.spans.map(\.name) == ["after"], "room again after a drain")
        #expect(tracer.droppedSpanCount == 2)
    }

    @Test func injectAndExtractW3CTraceparent() throws {
        let tracer = PipelineTracer(resource: Self.resource)
        let span = tracer.startSpan("client", context: .topLevel, ofKind: .client)
        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: DictionaryInjector())
        let header = try #require(headers["traceparent"])
        #expect(header == "00-\(span.spanContext.traceID)-\(span.spanContext.spanID)-01")
        #expect(header.count == 55)

        var extracted = ServiceContext.topLevel
        tracer.extract(
            headers.merging(["tracestate": "v=1"]) { a, _ in a }, into: &extracted, using: DictionaryExtractor())
        let remote = try #require(extracted.pipelineSpanContext)
        #expect(remote.traceID == span.spanContext.traceID)
        #expect(remote.spanID == span.spanContext.spanID)
        #expect(remote.isRemote)
        #expect(remote.traceState == "v=1")

        let server = tracer.startSpan("server", context: extracted, ofKind: .server)
        server.end()
        let s = try #require(tracer.drain()?.spans.first)
        #expect(s.traceID == span.spanContext.traceID)
        #expect(s.parentSpanID == span.spanContext.spanID)
        #expect(s.traceState == "v=1")

        for bad in [
            "", "00-00000000000000000000000000000000-0000000000000001-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "00-xyz-abc-01",
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ] {
            var context = ServiceContext.topLevel
            tracer.extract(["traceparent": bad], into: &context, using: DictionaryExtractor())
            #expect(context.pipelineSpanContext == nil, "\(bad) is rejected")
        }
        let valid = PipelineSpanContext(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        #expect(valid?.traceparent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    }

    @Test func withSpanUsesTheTaskLocalContext() throws {
        let tracer = PipelineTracer(resource: Self.resource)
        tracer.withSpan("outer") { outer in
            tracer.withSpan("inner") { _ in }
        }
        let spans = try #require(tracer.drain()).spans
        let outer = try #require(spans.first { $0.name == "outer" })
        let inner = try #require(spans.first { $0.name == "inner" })
        #expect(inner.parentSpanID == outer.spanID)
        #expect(inner.traceID == outer.traceID)
    }
}
