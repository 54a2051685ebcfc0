import GatewayCore
import Testing

@Suite struct AttributesTests {
    @Test func canonicalOrderMakesEqualSetsEqual() {
        let a = Attributes([Attribute(key: "b", value: .int(1)), Attribute(key: "a", value: .string("x"))])
        let b = Attributes([Attribute(key: "a", value: .string("x")), Attribute(key: "b", value: .int(1))])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.map(\.key) == ["a", "b"])
    }

    @Test func duplicateKeysKeepTheFirst() {
        let a = Attributes([
            Attribute(key: "k", value: .int(1)), Attribute(key: "j", value: .int(0)),
            Attribute(key: "k", value: .int(2)),
        ])
        #expect(a.count == 2)
        #expect(a["k"] == .int(1))
        #expect(a["j"] == .int(0))
        #expect(a["missing"] == nil)
    }

    @Test func idsConvertToAndFromBytesAndHex() {
        let bytes: [UInt8] = Array(1...16)
        let id = TraceID(bytes: bytes)!
        #expect(id.bytes == bytes)
        #expect(id.description == "0102030405060708090a0b0c0d0e0f10")
        #expect(TraceID(bytes: [1, 2]) == nil)
        #expect(SpanID(bytes: Array(1...8))!.description == "0102030405060708")
        #expect(Hex.decode("0A0b") == [10, 11])
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode("abc") == nil)
    }
}

@Suite struct SplitTests {
    func traces(_ counts: [Int]) -> Traces {
        Traces(
            resourceSpans: counts.enumerated().map { i, n in
                ResourceSpans(
                    resource: Resource(attributes: ["r": .int(Int64(i))]),
                    scopeSpans: [
                        ScopeSpans(
                            spans: (0..<n).map {
                                Span(
                                    traceID: TraceID(high: 1, low: UInt64($0)), spanID: SpanID(value: UInt64($0 + 1)),
                                    name: "s\($0)")
                            })
                    ])
            })
    }

    @Test func removeFirstKeepsResourceGroupingAndOrder() {
        var t = traces([3, 4])
        let head = t.removeFirst(items: 5)
        #expect(head.spanCount == 5)
        #expect(head.resourceSpans.count == 2)
        #expect(head.resourceSpans[1].resource.attributes["r"] == .int(1))
        #expect(head.resourceSpans[1].scopeSpans[0].spans.map(\.name) == ["s0", "s1"])
        #expect(t.spanCount == 2)
        #expect(t.resourceSpans.count == 1)
        #expect(t.resourceSpans[0].scopeSpans[0].spans.map(\.name) == ["s2", "s3"])
        let rest = t.removeFirst(items: 100)
        #expect(rest.spanCount == 2)
        #expect(t.resourceSpans.isEmpty)
    }

    @Test func fanOutDeliversToAllAndReportsPartialDeliveryAsPermanent() {
        final class Sink: Consumer, @unchecked Sendable {
            var got = 0
            let fail: PipelineError?
            init(fail: PipelineError?) { self.fail = fail }
            func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
                if let fail { throw fail }
                got += data.spanCount
                return .accepted
            }
        }
        let ok = Sink(fail: nil)
        let full = Sink(fail: .retryable("full"))
        let fanOut = FanOutConsumer<Traces>([ok, full])
        let error = #expect(throws: PipelineError.self) { try fanOut.consume(traces([2])) }
        #expect(ok.got == 2)
        #expect(error?.isRetryable == false)
        // A single refusing consumer keeps the retryable error.
        #expect((try? FanOutConsumer<Traces>([full]).consume(traces([1]))) == nil)
        do {
            _ = try FanOutConsumer<Traces>([full]).consume(traces([1]))
        } catch {
            #expect(error.isRetryable)
        }
    }
}

@Suite struct GroupingTests {
    @Test func appendMergesSameResourceAndScope() {
        let r1 = Resource(attributes: ["service.name": .string("a")])
        let r2 = Resource(attributes: ["service.name": .string("b")])
        func batch(_ r: Resource, _ scope: String, _ names: [String]) -> Traces {
            Traces(resourceSpans: [
                ResourceSpans(
                    resource: r,
                    scopeSpans: [
                        ScopeSpans(
                            scope: InstrumentationScope(name: scope),
                            spans: names.map {
                                Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: 1), name: $0)
                            })
                    ])
            ])
        }
        var t = batch(r1, "s", ["1"])
        t.append(contentsOf: batch(r2, "s", ["2"]))
        t.append(contentsOf: batch(r1, "s", ["3"]))
        t.append(contentsOf: batch(r1, "other", ["4"]))
        #expect(t.resourceSpans.count == 2)
        #expect(t.resourceSpans[0].resource == r1)
        #expect(t.resourceSpans[0].scopeSpans.map(\.scope.name) == ["s", "other"])
        #expect(t.resourceSpans[0].scopeSpans[0].spans.map(\.name) == ["1", "3"])
        #expect(t.resourceSpans[1].scopeSpans[0].spans.map(\.name) == ["2"])
        #expect(t.spanCount == 4)
    }
}
