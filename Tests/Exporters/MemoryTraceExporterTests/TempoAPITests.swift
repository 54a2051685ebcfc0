import ComponentKit
import GatewayCore
import MemoryTraceExporter
import OTLPWire
import Testing

@Suite struct TempoAPITests {
    let store = searchFixture()
    var api: TempoAPI { TempoAPI(store: store) }

    func get(_ target: String, accept: String? = nil) -> TempoAPI.Response {
        api.handle(method: "GET", target: target, accept: accept)
    }

    // MARK: Trace by id

    @Test func traceByIDIsOTLPJSON() throws {
        let response = get("/api/traces/0000000000000000000000000000000" + "1")
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        #expect(response.text.hasPrefix(#"{"resourceSpans":[{"resource":"#))
        let decoded = try OTLPJSON.decodeTraces(response.body)
        #expect(decoded == store.trace(id: traceID(1)))
        #expect(decoded.spanCount == 2)
    }

    @Test func traceIDsAreCaseInsensitiveAndShortIDsArePadded() {
        let store = RecentTraceStore()
        let id = TraceID(high: 0, low: 0xABCD_EF01_2345_6789)
        store.add(
            Traces(resourceSpans: [
                ResourceSpans(scopeSpans: [ScopeSpans(spans: [Span(traceID: id, spanID: SpanID(value: 1), name: "x")])])
            ]))
        let api = TempoAPI(store: store)
        for path in [
            "/api/traces/0000000000000000ABCDEF0123456789", "/api/traces/abcdef0123456789",
            "/api/traces/AbCdEf0123456789",
        ] {
            let response = api.handle(method: "GET", path: path, query: "")
            #expect(response.status == 200, "\(path)")
            #expect(response.text.contains(#""traceId":"0000000000000000abcdef0123456789""#), "\(path)")
        }
    }

    @Test func v2WrapsTheTraceAndIgnoresAccept() throws {
        let response = get("/api/v2/traces/00000000000000000000000000000003", accept: "application/protobuf")
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        let text = response.text
        #expect(text.hasPrefix(#"{"trace":{"resourceSpans":"#))
        #expect(text.hasSuffix("}}"))
        let inner = Array(response.body.dropFirst(#"{"trace":"#.utf8.count).dropLast())
        #expect(try OTLPJSON.decodeTraces(inner) == store.trace(id: traceID(3)))
    }

    @Test func v1AnswersProtobufWhenAskedForIt() throws {
        let response = get(
            "/api/traces/00000000000000000000000000000001", accept: "application/protobuf, application/json;q=0.5")
        #expect(response.status == 200)
        #expect(response.contentType == "application/protobuf")
        #expect(response.body == OTLPProtobuf.encode(try #require(store.trace(id: traceID(1)))))
    }

    @Test(arguments: [
        "xyz", "0000000000000000000000000000000g", "000000000000000000000000000000001",
        "00000000000000000000000000000000", "0",
    ])
    func malformedTraceIDIs400(id: String) {
        let response = get("/api/traces/" + id)
        #expect(response.status == 400)
        #expect(response.contentType == "application/json")
        #expect(response.text == #"{"error":"invalid traceID: must be 1 to 32 hex digits, not all zero"}"#)
    }

    @Test func absentTraceIs404() {
        let response = get("/api/traces/00000000000000000000000000000042")
        #expect(response.status == 404)
        #expect(response.text == #"{"error":"trace not found"}"#)
        #expect(get("/api/v2/traces/42").status == 404)
    }

    // MARK: Search

    @Test func searchUsesTempoFieldNames() {
        let response = get("/api/search?service=frontend&minDuration=50ms")
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        #expect(
            response.text == #"""
                {"traces":[{"traceID":"00000000000000000000000000000001","rootServiceName":"frontend","rootTraceName":"GET /","startTimeUnixNano":"1000000000000","durationMs":100,"spanCount":2}]}
                """#)
    }

    @Test func searchWithNoMatchesIsAnEmptyList() {
        #expect(get("/api/search?service=nobody").text == #"{"traces":[]}"#)
    }

    @Test func searchEscapesStrings() {
        let store = RecentTraceStore()
        store.add(batch(service: "a\"b\\c\u{1}", [makeSpan(trace: 7, id: 1, name: "é\n")]))
        let text = TempoAPI(store: store).handle(method: "GET", path: "/api/search", query: "").text
        #expect(text.contains(#""rootServiceName":"a\"b\\c\u0001","rootTraceName":"é\n""#))
    }

    @Test(
        arguments: [
            ("", [3, 2, 1]),
            ("limit=2", [3, 2]),
            ("limit=5000", [3, 2, 1]),
            ("maxDuration=1s", [3, 1]),
            ("minDuration=100ms&maxDuration=2s", [2, 1]),
            ("minDuration=1.5s", [2]),
            ("start=1500&end=2500", [2]),
            ("tags=service.name%3Dbackend", [2, 1]),
            ("tags=service.name=frontend+name=%22POST+%2Fcart%22", [3]),
            ("tags=db.system%3Dpostgres", [1]),
            ("tags=http.status_code=500", [3]),
            ("spanName=ack", [2]),
            ("service=backend&tags=service.name%3Dfrontend", [1]),
            ("q=%7B%7D&spss=3", [3, 2, 1]),
            ("q=%7Bspan.http.status_code%3D500%7D", [3]),
            ("q=%7Bresource.service.name%3D%22backend%22+%26%26+duration+%3E+1s%7D", [2]),
        ] as [(String, [UInt64])])
    func searchParameters(query: String, expected: [UInt64]) throws {
        let response = api.handle(method: "GET", path: "/api/search", query: query)
        #expect(response.status == 200, "\(response.text)")
        let found = response.text.split(separator: #""traceID":""#).dropFirst().map { UInt64($0.prefix(32), radix: 16) }
        #expect(found == expected.map { Optional($0) })
    }

    @Test(arguments: [
        ("minDuration=fast", "minDuration"),
        ("maxDuration=10", "maxDuration"),
        ("minDuration=-1s", "minDuration"),
        ("minDuration=2s&maxDuration=1s", "maxDuration"),
        ("limit=ten", "limit"),
        ("limit=0", "limit"),
        ("start=yesterday", "start"),
        ("start=20&end=10", "end"),
        ("tags=a%3D%22open", "tags"),
        ("tags=%ZZ", "tags"),
        ("q=%7Bspan.http.status_code%3D%7D", "q"),
        ("q=%7Bname%3D~%22%5B%22%7D", "q"),
        ("q=%7Bname%3D%22x%22", "q"),
        ("spss=0", "spss"),
    ])
    func badParametersAre400NamingTheParameter(query: String, parameter: String) {
        let response = api.handle(method: "GET", path: "/api/search", query: query)
        #expect(response.status == 400)
        #expect(response.contentType == "application/json")
        #expect(response.text.hasPrefix(#"{"error":"invalid \#(parameter): "#), "\(response.text)")
    }

    // MARK: Other routes

    @Test func readyAndEcho() {
        #expect(
            get("/ready")
                == TempoAPI.Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ready".utf8)))
        #expect(get("/api/echo").text == "echo")
        #expect(api.handle(method: "HEAD", path: "/ready", query: "").status == 200)
    }

    @Test(arguments: [
        "/", "/api", "/api/traces", "/api/traces/", "/api/traces/1/2", "/api/search/tag//values", "/metrics",
        "/api/v2/traces",
    ])
    func unknownPathsAre404(path: String) {
        #expect(get(path).status == 404)
    }

    @Test func otherMethodsAre405() {
        let response = api.handle(method: "POST", path: "/api/search", query: "")
        #expect(response.status == 405)
        #expect(response.text == #"{"error":"method POST not allowed"}"#)
        #expect(api.handle(method: "DELETE", path: "/nope", query: "").status == 404)
    }
}
