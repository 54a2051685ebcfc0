import GatewayCore
import Testing

@testable import MemoryTraceExporter

@Suite struct RecentTraceStoreTests {
    @Test func evictsOldestTracesExactlyAtTheByteLimit() {
        let store = RecentTraceStore(maxBytes: 1000)
        for n in 1...5 as ClosedRange<UInt64> { store.add(batch(service: "s", [spanOfSize(200, trace: n, id: n)])) }
        // Exactly full: nothing evicted.
        #expect(store.byteCount == 1000)
        #expect(store.traceCount == 5)
        #expect(store.evictedTraceCount == 0)

        var result = store.add(batch(service: "s", [spanOfSize(200, trace: 6, id: 6)]))
        #expect(result == RecentTraceStore.AddResult(storedSpans: 1, droppedSpans: 0, evictedTraces: 1))
        #expect(store.traceIDsOldestFirst == (2...6).map { traceID($0) })
        #expect(store.trace(id: traceID(1)) == nil)
        #expect(store.byteCount == 1000)

        // 400 more bytes: the two oldest go.
        result = store.add(batch(service: "s", [spanOfSize(400, trace: 7, id: 7)]))
        #expect(result.evictedTraces == 2)
        #expect(store.traceIDsOldestFirst == [4, 5, 6, 7].map { traceID($0) })
        #expect(store.byteCount == 1000)

        // 300 bytes: evicting one 200-byte trace is not enough, two are.
        store.add(batch(service: "s", [spanOfSize(300, trace: 8, id: 8)]))
        #expect(store.traceIDsOldestFirst == [6, 7, 8].map { traceID($0) })
        #expect(store.byteCount == 900)
        #expect(store.byteCount <= store.maxBytes)
        #expect(store.spanCount == 3)
        #expect(store.evictedTraceCount == 5)
    }

    @Test func laterSpansDoNotMakeATraceNewer() {
        let store = RecentTraceStore(maxBytes: 1200)
        for n in 1...5 as ClosedRange<UInt64> { store.add(batch(service: "s", [spanOfSize(200, trace: n, id: n)])) }
        store.add(batch(service: "s", [spanOfSize(200, trace: 1, id: 11)]))
        #expect(store.byteCount == 1200)
        #expect(store.traceCount == 5)

        // Trace 1 got the latest span but arrived first, so it is the one evicted, with both its spans.
        store.add(batch(service: "s", [spanOfSize(200, trace: 6, id: 6)]))
        #expect(store.trace(id: traceID(1)) == nil)
        #expect(store.traceIDsOldestFirst == (2...6).map { traceID($0) })
        #expect(store.byteCount == 1000)
        #expect(store.spanCount == 5)
    }

    @Test func appendingToTheOldestTraceEvictsTheNextOldest() {
        let store = RecentTraceStore(maxBytes: 1000)
        for n in 1...5 as ClosedRange<UInt64> { store.add(batch(service: "s", [spanOfSize(200, trace: n, id: n)])) }
        let result = store.add(batch(service: "s", [spanOfSize(200, trace: 1, id: 11)]))
        #expect(result.evictedTraces == 1)
        #expect(store.traceIDsOldestFirst == [1, 3, 4, 5].map { traceID($0) })
        #expect(store.trace(id: traceID(1))?.spanCount == 2)

        store.add(batch(service: "s", [spanOfSize(200, trace: 6, id: 6)]))
        #expect(store.traceIDsOldestFirst == [3, 4, 5, 6].map { traceID($0) })
        #expect(store.byteCount == 800)
    }

    @Test func aTraceLargerThanTheStoreKeepsItsFirstSpansAndCountsTheRest() {
        let store = RecentTraceStore(maxBytes: 1000)
        store.add(batch(service: "s", [spanOfSize(200, trace: 9, id: 90)]))
        let result = store.add(batch(service: "s", (1...7).map { spanOfSize(200, trace: 1, id: $0) }))
        #expect(result == RecentTraceStore.AddResult(storedSpans: 5, droppedSpans: 2, evictedTraces: 1))
        let spans = store.trace(id: traceID(1))?.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans)
        #expect(spans?.map(\.spanID.value) == [1, 2, 3, 4, 5])
        #expect(store.byteCount == 1000)
        #expect(store.droppedSpanCount == 2)

        // A later, smaller span of the full trace is dropped too.
        #expect(store.add(batch(service: "s", [spanOfSize(192, trace: 1, id: 8)])).droppedSpans == 1)
        #expect(store.droppedSpanCount == 3)
    }

    @Test func aSpanLargerThanTheStoreCreatesNoTrace() {
        let store = RecentTraceStore(maxBytes: 500)
        store.add(batch(service: "s", [spanOfSize(200, trace: 2, id: 2)]))
        let result = store.add(batch(service: "s", [spanOfSize(501, trace: 1, id: 1)]))
        #expect(result == RecentTraceStore.AddResult(storedSpans: 0, droppedSpans: 1, evictedTraces: 0))
        #expect(store.trace(id: traceID(1)) == nil)
        #expect(store.traceIDsOldestFirst == [traceID(2)])
    }

    @Test func spansWithAnInvalidTraceIDAreDropped() {
        let store = RecentTraceStore()
        let result = store.add(batch(service: "s", [makeSpan(trace: 0, id: 1), makeSpan(trace: 3, id: 2)]))
        #expect(result == RecentTraceStore.AddResult(storedSpans: 1, droppedSpans: 1, evictedTraces: 0))
        #expect(store.traceCount == 1)
        #expect(store.trace(id: .invalid) == nil)
    }

    @Test func spansOfOneTraceInSeveralBatchesAreGroupedByResourceAndScope() throws {
        let store = RecentTraceStore()
        // Interleaved with another trace, across batches, resources and scopes.
        store.add(
            batch(
                service: "frontend", scope: "http",
                [
                    makeSpan(trace: 1, id: 3, parent: 1, name: "render", start: 30),
                    makeSpan(trace: 2, id: 20, name: "other"),
                    makeSpan(trace: 1, id: 1, name: "GET /", start: 10),
                ]))
        store.add(
            batch(service: "backend", scope: "db", [makeSpan(trace: 1, id: 4, parent: 1, name: "SELECT", start: 20)]))
        store.add(
            batch(service: "frontend", scope: "grpc", [makeSpan(trace: 1, id: 5, parent: 1, name: "call", start: 5)]))
        store.add(
            batch(service: "frontend", scope: "http", [makeSpan(trace: 1, id: 2, parent: 1, name: "auth", start: 15)]))

        let trace = try #require(store.trace(id: traceID(1)))
        #expect(trace.spanCount == 5)
        #expect(trace.resourceSpans.count == 2)
        let frontend = trace.resourceSpans[0]
        #expect(frontend.resource.attributes["service.name"] == .string("frontend"))
        #expect(frontend.scopeSpans.map(\.scope.name) == ["http", "grpc"])
        #expect(frontend.scopeSpans[0].spans.map(\.name) == ["GET /", "auth", "render"])
        #expect(frontend.scopeSpans[1].spans.map(\.name) == ["call"])
        let backend = trace.resourceSpans[1]
        #expect(backend.resource.attributes["service.name"] == .string("backend"))
        #expect(backend.scopeSpans.map(\.scope.name) == ["db"])
        #expect(backend.scopeSpans[0].spans.map(\.name) == ["SELECT"])

        #expect(store.trace(id: traceID(2))?.spanCount == 1)
        #expect(store.traceCount == 2)
        #expect(store.spanCount == 6)
    }

    @Test func equalStartTimesKeepArrivalOrder() throws {
        let store = RecentTraceStore()
        store.add(
            batch(
                service: "s",
                [makeSpan(trace: 1, id: 9, name: "b", start: 7), makeSpan(trace: 1, id: 1, name: "c", start: 7)]))
        store.add(
            batch(
                service: "s",
                [makeSpan(trace: 1, id: 5, name: "a", start: 3), makeSpan(trace: 1, id: 2, name: "d", start: 7)]))
        let spans = try #require(store.trace(id: traceID(1))).resourceSpans[0].scopeSpans[0].spans
        #expect(spans.map(\.name) == ["a", "b", "c", "d"])
    }

    @Test func aTraceEvictedAndSeenAgainStartsOver() {
        let store = RecentTraceStore(maxBytes: 400)
        store.add(batch(service: "s", [spanOfSize(200, trace: 1, id: 1)]))
        store.add(batch(service: "s", [spanOfSize(200, trace: 2, id: 2)]))
        store.add(batch(service: "s", [spanOfSize(200, trace: 3, id: 3)]))
        store.add(batch(service: "s", [spanOfSize(200, trace: 1, id: 4)]))
        #expect(store.traceIDsOldestFirst == [3, 1].map { traceID($0) })
        #expect(store.trace(id: traceID(1))?.resourceSpans[0].scopeSpans[0].spans.map(\.spanID.value) == [4])
    }
}
