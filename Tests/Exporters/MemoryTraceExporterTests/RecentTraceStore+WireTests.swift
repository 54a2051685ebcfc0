import GatewayCore
import MemoryTraceExporter
import OTLPWire
import Testing

/// Forwarded traces are kept as bytes per trace and decoded when first read: every query must answer as if the same
/// spans had been stored as the model.
@Suite struct RecentTraceStoreWireTests {
    static func randomBatch(_ rng: inout some RandomNumberGenerator, traces: ClosedRange<UInt64>) -> Traces {
        Traces(
            resourceSpans: (0..<Int.random(in: 1...3, using: &rng)).map { r in
                ResourceSpans(
                    resource: Resource(attributes: ["service.name": .string("svc\(r)"), "host": .int(Int64(r))]),
                    scopeSpans: (0..<Int.random(in: 1...2, using: &rng)).map { s in
                        ScopeSpans(
                            scope: InstrumentationScope(name: "lib\(s)", version: "1"),
                            spans: (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                                let start = UInt64.random(in: 1_000...2_000, using: &rng) * second
                                return makeSpan(
                                    trace: UInt64.random(in: traces, using: &rng),
                                    id: UInt64.random(in: 1...1 << 40, using: &rng),
                                    parent: Bool.random(using: &rng) ? 0 : 7,
                                    name: "op\(Int.random(in: 0..<4, using: &rng))",
                                    start: start, end: start + UInt64.random(in: 0...5, using: &rng) * second,
                                    attributes: ["http.status_code": .int(Int64.random(in: 200...503, using: &rng))])
                            },
                            schemaURL: s == 1 ? "https://scope" : "")
                    }, schemaURL: r == 2 ? "https://resource" : "")
            })
    }

    static func wire(_ traces: Traces) throws -> Traces {
        let wire = try OTLPProtobuf.encode(traces).withUnsafeBytes { try OTLPProtobuf.wireTraces($0) }
        #expect(wire.wire != nil)
        return wire
    }

    @Test(arguments: [1 << 30, 40_000]) func queriesAnswerAsForTheModel(maxBytes: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let (model, wire) = (RecentTraceStore(maxBytes: 1 << 30), RecentTraceStore(maxBytes: maxBytes))
        var batches: [Traces] = []
        for _ in 0..<30 {
            var batch = Self.randomBatch(&rng, traces: 1...25)
            // One span with an invalid (zero) trace id: dropped by both.
            batch.resourceSpans[0].scopeSpans[0].spans.append(makeSpan(trace: 0, id: 1))
            batches.append(batch)
            let w = try Self.wire(batch)
            let result = wire.add(w)
            #expect(result.storedSpans + result.droppedSpans == batch.spanCount)
            model.add(batch)
            // Queries in the middle decode what has arrived; later spans of the same traces still join them.
            if batches.count == 10 { _ = wire.search(TraceQuery()) }
        }
        if maxBytes < 1 << 30 {
            // Bounded: evictions happened, and what is stored fits.
            #expect(wire.evictedTraceCount > 0)
            #expect(wire.byteCount <= maxBytes)
            return
        }
        #expect(wire.spanCount == model.spanCount)
        #expect(wire.traceCount == model.traceCount)
        #expect(wire.droppedSpanCount == 30)
        for id in 1...25 {
            #expect(wire.trace(id: traceID(UInt64(id))) == model.trace(id: traceID(UInt64(id))))
        }
        #expect(wire.search(TraceQuery()) == model.search(TraceQuery()))
        #expect(wire.tagNames().span == model.tagNames().span)
        #expect(wire.tagNames().resource == model.tagNames().resource)
    }

    /// Queries decode outside the lock while spans keep arriving for the same traces: afterwards every trace holds
    /// each of its spans once, as a store fed the model one batch after another.
    @Test func concurrentQueriesLeaveEveryTraceWhole() async throws {
        var rng = SystemRandomNumberGenerator()
        let batches = (0..<100).map { _ in Self.randomBatch(&rng, traces: 1...10) }
        let wires = try batches.map(Self.wire)
        let (model, wire) = (RecentTraceStore(maxBytes: 1 << 30), RecentTraceStore(maxBytes: 1 << 30))
        for b in batches { model.add(b) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for w in wires { wire.add(w) } }
            for _ in 0..<3 {
                group.addTask {
                    for i in 0..<10 {
                        _ = wire.search(TraceQuery())
                        _ = wire.trace(id: traceID(UInt64(i % 10 + 1)))
                    }
                }
            }
        }
        #expect(wire.spanCount == model.spanCount)
        for id in 1...10 {
            let (w, m) = (wire.trace(id: traceID(UInt64(id))), model.trace(id: traceID(UInt64(id))))
            #expect(w?.spanCount == m?.spanCount)
            #expect(w == m)
        }
    }
}
