import GatewayCore
import MemoryTraceExporter
import Testing

/// Three traces:
/// - 1: frontend "GET /" at 1000 s, 100 ms, with a backend "SELECT" child (db.system=postgres), root arriving last;
/// - 2: backend only, no parentless span, earliest "consume" at 2000 s, 2 s long;
/// - 3: frontend "POST /cart" at 3000 s, 5 ms, http.status_code=500.
func searchFixture() -> RecentTraceStore {
    let store = RecentTraceStore()
    store.add(
        batch(
            service: "backend",
            [
                makeSpan(
                    trace: 1, id: 2, parent: 1, name: "SELECT", start: 1000 * second + 10 * millisecond,
                    end: 1000 * second + 60 * millisecond, attributes: ["db.system": .string("postgres")])
            ]))
    store.add(
        batch(
            service: "frontend",
            [makeSpan(trace: 1, id: 1, name: "GET /", start: 1000 * second, end: 1000 * second + 100 * millisecond)]))
    store.add(
        batch(
            service: "backend",
            [
                makeSpan(trace: 2, id: 22, parent: 99, name: "ack", start: 2000 * second + 1, end: 2001 * second),
                makeSpan(trace: 2, id: 21, parent: 99, name: "consume", start: 2000 * second, end: 2002 * second),
            ]))
    store.add(
        batch(
            service: "frontend",
            [
                makeSpan(
                    trace: 3, id: 31, name: "POST /cart", start: 3000 * second, end: 3000 * second + 5 * millisecond,
                    attributes: ["http.status_code": .int(500)])
            ]))
    return store
}

func ids(_ summaries: [TraceSummary]) -> [UInt64] { summaries.map(\.traceID.low) }

@Suite struct TraceQueryTests {
    let store = searchFixture()

    @Test func noFiltersReturnsEverythingNewestFirst() {
        #expect(ids(store.search(TraceQuery())) == [3, 2, 1])
    }

    @Test func summariesDetectTheRootSpan() throws {
        let results = store.search(TraceQuery())
        let first = try #require(results.first { $0.traceID == traceID(1) })
        #expect(
            first
                == TraceSummary(
                    traceID: traceID(1), rootServiceName: "frontend", rootSpanName: "GET /",
                    startTimeUnixNano: 1000 * second, duration: .milliseconds(100), spanCount: 2))
        // No parentless span: the earliest span stands in.
        let second = try #require(results.first { $0.traceID == traceID(2) })
        #expect(second.rootSpanName == "consume")
        #expect(second.rootServiceName == "backend")
        #expect(second.duration == .seconds(2))
    }

    @Test func serviceMatchesAnySpanOfTheTrace() {
        #expect(ids(store.search(TraceQuery(service: "backend"))) == [2, 1])
        #expect(ids(store.search(TraceQuery(service: "frontend"))) == [3, 1])
        #expect(store.search(TraceQuery(service: "nobody")).isEmpty)
    }

    @Test func durationBoundsAreInclusive() {
        #expect(ids(store.search(TraceQuery(minDuration: .milliseconds(50)))) == [2, 1])
        #expect(ids(store.search(TraceQuery(minDuration: .milliseconds(100)))) == [2, 1])
        #expect(ids(store.search(TraceQuery(minDuration: .nanoseconds(100_000_001)))) == [2])
        #expect(ids(store.search(TraceQuery(maxDuration: .milliseconds(100)))) == [3, 1])
        #expect(ids(store.search(TraceQuery(minDuration: .milliseconds(1), maxDuration: .milliseconds(99)))) == [3])
    }

    @Test func spanNameMatchesAnySpan() {
        #expect(ids(store.search(TraceQuery(spanName: "SELECT"))) == [1])
        #expect(ids(store.search(TraceQuery(spanName: "ack"))) == [2])
        #expect(store.search(TraceQuery(spanName: "select")).isEmpty)
    }

    @Test func tagsMatchSpanOrResourceAttributesOfOneSpan() {
        #expect(ids(store.search(TraceQuery(tags: ["db.system": "postgres"]))) == [1])
        // Non-string values compare in string form.
        #expect(ids(store.search(TraceQuery(tags: ["http.status_code": "500"]))) == [3])
        #expect(ids(store.search(TraceQuery(tags: ["service.name": "backend"]))) == [2, 1])
        #expect(ids(store.search(TraceQuery(tags: ["db.system": "postgres", "service.name": "backend"]))) == [1])
        // The postgres span is the backend's, so no single span matches both.
        #expect(store.search(TraceQuery(tags: ["db.system": "postgres", "service.name": "frontend"])).isEmpty)
        #expect(store.search(TraceQuery(spanName: "GET /", tags: ["db.system": "postgres"])).isEmpty)
        #expect(ids(store.search(TraceQuery(spanName: "SELECT", tags: ["db.system": "postgres"]))) == [1])
    }

    @Test func startAndEndFilterOnTraceStartInSeconds() {
        #expect(ids(store.search(TraceQuery(start: 2000, end: 2000))) == [2])
        #expect(ids(store.search(TraceQuery(start: 2001))) == [3])
        #expect(ids(store.search(TraceQuery(end: 1999))) == [1])
        #expect(ids(store.search(TraceQuery(start: 0, end: .max))) == [3, 2, 1])
    }

    @Test func limitKeepsTheNewest() {
        #expect(ids(store.search(TraceQuery(limit: 2))) == [3, 2])
        #expect(ids(store.search(TraceQuery(service: "frontend", limit: 1))) == [3])
    }

    @Test func limitIsClamped() {
        #expect(TraceQuery(limit: 0).effectiveLimit == 20)
        #expect(TraceQuery(limit: -3).effectiveLimit == 20)
        #expect(TraceQuery(limit: 5000).effectiveLimit == 1000)
        let many = RecentTraceStore()
        for n in 1...30 { many.add(batch(service: "s", [makeSpan(trace: UInt64(n), id: 1, start: UInt64(n))])) }
        #expect(many.search(TraceQuery()).count == 20)
        #expect(many.search(TraceQuery(limit: 0)).count == 20)
        #expect(ids(many.search(TraceQuery(limit: 3))) == [30, 29, 28])
    }

    @Test func equalStartsListTheLaterArrivalFirst() {
        let store = RecentTraceStore()
        for n in [5, 3, 9] as [UInt64] { store.add(batch(service: "s", [makeSpan(trace: n, id: 1, start: 100)])) }
        #expect(ids(store.search(TraceQuery())) == [9, 3, 5])
    }
}
