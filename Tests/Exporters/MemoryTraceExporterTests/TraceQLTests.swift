import ComponentKit
import GatewayCore
import Testing

@testable import MemoryTraceExporter

@Suite struct TraceQLTests {
    let store = searchFixture()

    func search(_ q: String) throws -> [UInt64] {
        var query = TraceQuery()
        query.traceQL = try TraceQL.parse(q)
        return ids(store.search(query))
    }

    @Test(
        arguments: [
            ("{}", [3, 2, 1]),
            ("", [3, 2, 1]),
            (#"{resource.service.name="backend"}"#, [2, 1]),
            (#"{ resource.service.name = "frontend" && name = "POST /cart" }"#, [3]),
            (#"{.db.system="postgres"}"#, [1]),
            (#"{span.db.system="postgres"}"#, [1]),
            (#"{resource.db.system="postgres"}"#, []),
            (#"{span.http.status_code >= 500}"#, [3]),
            (#"{span.http.status_code < 500}"#, []),
            (#"{span.http.status_code != nil}"#, [3]),
            (#"{span.http.status_code = nil}"#, [2, 1]),
            (#"{duration > 1s}"#, [2]),
            (#"{duration >= 100ms && duration < 1s}"#, [2, 1]),
            (#"{duration >= 100ms && duration < 999ms}"#, [1]),
            (#"{traceDuration > 1500ms}"#, [2]),
            (#"{name =~ "GET.*|ack"}"#, [2, 1]),
            (#"{name !~ "GET.*|ack"}"#, [3, 2, 1]),
            (#"{name =~ "GE"}"#, []),
            (#"{rootName = "GET /"}"#, [1]),
            (#"{rootServiceName = "frontend"}"#, [3, 1]),
            (#"{kind = internal}"#, [3, 2, 1]),
            (#"{kind = server}"#, []),
            (#"{status = unset}"#, [3, 2, 1]),
            (#"{status = error}"#, []),
            (#"{name = "ack" || name = "SELECT"}"#, [2, 1]),
            (#"{(name = "ack" || name = "SELECT") && resource.service.name = "backend"}"#, [2, 1]),
            (#"{!(name = "ack")}"#, [3, 2, 1]),
            (#"{name = "ack"} && {name = "consume"}"#, [2]),
            (#"{name = "ack"} && {name = "GET /"}"#, []),
            (#"{name = "ack"} || {name = "GET /"}"#, [2, 1]),
            (#"({name="ack"}) || ({name="POST /cart"})"#, [3, 2]),
            (#"{span."db.system" = `postgres`}"#, [1]),
            (#"{true}"#, [3, 2, 1]),
            (#"{false}"#, []),
        ] as [(String, [UInt64])])
    func queries(query: String, expected: [UInt64]) throws {
        #expect(try search(query) == expected, "\(query)")
    }

    @Test(arguments: [
        "{", "{name=}", "{name ~ \"x\"}", "{foo = 1}", "{name = \"x\"", "{name = \"x}", "{} &&",
        "{duration > 10parsecs}",
        "{name = nothing}", "{name =~ 3}", "x",
        String(repeating: "(", count: 100) + "{}" + String(repeating: ")", count: 100),
    ])
    func malformedQueriesAreRefusedWithAPosition(query: String) {
        #expect(throws: TraceQL.ParseError.self) { try TraceQL.parse(query) }
    }

    @Test func aBadRegularExpressionIsRefusedByTheMatcher() throws {
        let query = try TraceQL.parse(#"{name =~ "["}"#)
        #expect(throws: TraceQL.ParseError.self) { try TraceQLMatcher(query) }
    }

    @Test func singleSpansetResultsCarryTheMatchingSpans() throws {
        var query = TraceQuery()
        query.traceQL = try TraceQL.parse(#"{resource.service.name = "backend"}"#)
        query.spansPerSpanSet = 1
        let results = store.search(query)
        let trace2 = try #require(results.first { $0.traceID.low == 2 })
        #expect(trace2.matchedCount == 2)
        #expect(trace2.matchedSpans.count == 1)
        let text = String(
            decoding: TempoAPI(store: store).handle(
                method: "GET", path: "/api/search", query: "q=%7Bname%3D%22SELECT%22%7D"
            ).body, as: UTF8.self)
        #expect(text.contains(#""spanSet":{"spans":[{"spanID":"0000000000000002","name":"SELECT","#))
        #expect(text.contains(#""durationNanos":"50000000"}],"matched":1}"#))
    }
}

@Suite struct TempoTagTests {
    let api = TempoAPI(store: searchFixture())

    func get(_ path: String, _ query: String = "") -> String {
        let response = api.handle(method: "GET", path: path, query: query)
        #expect(response.status == 200, "\(path)")
        #expect(response.contentType == "application/json")
        return response.text
    }

    @Test func tagNamesV1AndV2() {
        #expect(get("/api/search/tags") == #"{"tagNames":["db.system","http.status_code","service.name"]}"#)
        #expect(
            get("/api/v2/search/tags")
                == #"{"scopes":[{"name":"resource","tags":["service.name"]},"#
                + #"{"name":"span","tags":["db.system","http.status_code"]},{"name":"intrinsic","tags":["duration","#
                + #""kind","name","rootName","rootServiceName","status","statusMessage","traceDuration"]}]}"#)
        #expect(
            get("/api/v2/search/tags", "scope=span")
                == #"{"scopes":[{"name":"span","tags":["db.system","http.status_code"]}]}"#)
    }

    @Test func tagValuesV1AndV2() {
        #expect(get("/api/search/tag/service.name/values") == #"{"tagValues":["backend","frontend"]}"#)
        #expect(
            get("/api/v2/search/tag/resource.service.name/values")
                == #"{"tagValues":[{"type":"string","value":"backend"},{"type":"string","value":"frontend"}]}"#)
        #expect(
            get("/api/v2/search/tag/span.http.status_code/values") == #"{"tagValues":[{"type":"int","value":"500"}]}"#)
        #expect(get("/api/v2/search/tag/status/values") == #"{"tagValues":[{"type":"keyword","value":"unset"}]}"#)
        #expect(get("/api/v2/search/tag/name/values").contains(#"{"type":"string","value":"POST /cart"}"#))
        #expect(get("/api/v2/search/tag/span.nothing/values") == #"{"tagValues":[]}"#)
    }

    @Test func buildInfoNamesATempoVersion() {
        let text = get("/api/status/buildinfo")
        #expect(text.hasPrefix(#"{"version":"2."#))
    }

    @Test func serviceSummariesCountSpansAndErrors() {
        let store = RecentTraceStore()
        var failing = makeSpan(trace: 9, id: 1, start: 0, end: 10 * millisecond)
        failing.status = SpanStatus(code: .error, message: "boom")
        store.add(
            batch(service: "svc", [failing, makeSpan(trace: 9, id: 2, parent: 1, start: 0, end: 2 * millisecond)]))
        let summaries = store.serviceSummaries()
        #expect(summaries.count == 1)
        #expect(summaries[0].service == "svc")
        #expect(summaries[0].spans == 2)
        #expect(summaries[0].errors == 1)
        #expect(summaries[0].p50 == 2 * millisecond)
        #expect(summaries[0].p99 == 10 * millisecond)
    }
}
