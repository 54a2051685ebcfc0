import ComponentKit
import GatewayCore
import MemoryTraceExporter
import MetricStore
import SelfTelemetry
import Testing

@testable import ZPagesExtension

let t0: UInt64 = 1_700_000_000_000_000_000

func gauge(_ name: String, _ values: [(Attributes, Double)], time: UInt64 = t0) -> Metrics {
    Metrics(resourceMetrics: [
        ResourceMetrics(
            resource: Resource(attributes: ["service.name": .string("svc")]),
            scopeMetrics: [
                ScopeMetrics(metrics: [
                    Metric(
                        name: name,
                        data: .gauge(
                            values.map { NumberDataPoint(attributes: $0.0, timeUnixNano: time, value: .double($0.1)) }))
                ])
            ])
    ])
}

/// An API over a fresh inspection, with a store and the sampler ticked at `now`.
struct Fixture {
    let registry = TelemetryRegistry()
    let inspection: GraphInspection
    let store: MetricStore
    let sampler: ZPagesSampler
    let api: ZPagesAPI

    init(maxSeriesPerMetric: Int = 20_000) {
        inspection = GraphInspection(registry: registry, version: "9.9.9", startTimeUnixNano: t0)
        store = MetricStore(
            settings: .init(targetInfo: false, maxSeriesPerMetric: maxSeriesPerMetric), registry: registry,
            name: "prometheus", now: { t0 })
        inspection.addMetricStore("prometheus", store)
        sampler = ZPagesSampler(inspection: inspection, step: .seconds(2), history: .seconds(60))
        api = ZPagesAPI(inspection: inspection, sampler: sampler) { Int64(t0 / 1_000_000) + 5_000 }
    }

    func get(_ target: String) -> ZPagesAPI.Response { api.handle(method: "GET", target: target) }
}

@Suite struct ZPagesAPITests {
    @Test func pagesAreOneShellWithTheSecurityHeaders() {
        let f = Fixture()
        for (path, page) in ZPagesAPI.pages {
            let response = f.get(path)
            #expect(response.status == 200)
            #expect(response.contentType.hasPrefix("text/html"))
            #expect(response.text.contains(#"data-page="\#(page)""#), "\(path)")
            #expect(
                response.headers.contains {
                    $0.name == "Content-Security-Policy" && $0.value.contains("script-src 'self'")
                })
            #expect(response.headers.contains { $0.name == "X-Content-Type-Options" && $0.value == "nosniff" })
        }
        #expect(f.get("/static/zpages.js").contentType.hasPrefix("text/javascript"))
        #expect(f.get("/static/zpages.css").contentType.hasPrefix("text/css"))
        #expect(!f.get("/static/zpages.js").text.contains("innerHTML"))
    }

    @Test func unknownPathsAndWritesAreRefused() {
        let f = Fixture()
        #expect(f.get("/debug/nothing").status == 404)
        #expect(f.get("/debug/nothing").text == #"{"error":"not found: /debug/nothing"}"#)
        #expect(f.api.handle(method: "POST", target: "/api/v1/service").status == 405)
        #expect(f.get("/tempo/api/search").status == 404)
    }

    @Test func serviceNamesVersionAndExtensions() {
        let f = Fixture()
        f.inspection.shape = GraphInspection.Shape(extensions: ["health_check", "zpages/page"])
        let text = f.get("/api/v1/service").text
        #expect(text.contains(#""version":"9.9.9""#))
        #expect(text.contains(#""uptimeSeconds":5"#))
        #expect(text.contains(#"{"id":"zpages/page","type":"zpages"}"#))
    }

    @Test func cardinalityListsTheMetricWithTheMostSeriesFirstWithItsLabels() {
        let f = Fixture(maxSeriesPerMetric: 50)
        f.sampler.sample(timeMs: Int64(t0 / 1_000_000))
        f.store.ingest(gauge("small", [([:], 1)]))
        f.store.ingest(gauge("big", (0..<60).map { (["route": .string("/r\($0)"), "m": .string("GET")], 1) }))
        let text = f.get("/api/v1/cardinality?limit=2&labels=1").text
        #expect(text.contains(#""totalSeries":51"#))
        #expect(text.contains(#""metrics":[{"name":"big","type":"gauge","series":50,"growth":50,"refused":10,"#))
        #expect(text.contains(#""labels":[{"name":"route","values":50}]}"#))
        #expect(text.contains(#"{"name":"small""#))
        #expect(f.get("/api/v1/cardinality?limit=0").status == 400)
        #expect(f.get("/api/v1/cardinality?limit=x").text.contains("invalid limit"))
    }

    @Test func seriesArePagedInLabelOrder() {
        let f = Fixture()
        f.store.ingest(gauge("big", (0..<25).map { (["i": .string(String(format2($0)))], Double($0)) }))
        let first = f.get("/api/v1/series?metric=big&limit=10").text
        #expect(first.contains(#""total":25,"offset":0,"limit":10"#))
        #expect(first.contains(#"{"labels":{"i":"00","instance":"","#) || first.contains(#"{"labels":{"i":"00""#))
        let last = f.get("/api/v1/series?metric=big&offset=20&limit=10").text
        #expect(last.split(separator: #"{"labels":"#).count - 1 == 5)
        #expect(f.get("/api/v1/series?metric=none").status == 404)
        #expect(f.get("/api/v1/series").status == 400)
        #expect(f.get("/api/v1/series?metric=big&offset=-1").status == 400)
        #expect(f.get("/api/v1/series?metric=%ZZ").status == 400)
    }

    @Test func pipelinesShowRatesAndFlagComponentsInTrouble() {
        let f = Fixture()
        f.inspection.shape = GraphInspection.Shape(
            pipelines: [
                .init(
                    id: "traces", signal: "traces", receivers: ["otlp"], processors: ["batch"], exporters: ["otlp/out"])
            ])
        let accepted = f.registry.counter(
            "otelcol_receiver_accepted_spans_total", help: "", labels: ["receiver": "otlp", "transport": "grpc"])
        let failed = f.registry.counter(
            "otelcol_exporter_send_failed_spans_total", help: "", labels: ["exporter": "otlp/out"])
        f.registry.gauge("otelcol_exporter_queue_size", help: "", labels: ["exporter": "otlp/out"]).set(90)
        f.registry.gauge("otelcol_exporter_queue_capacity", help: "", labels: ["exporter": "otlp/out"]).set(100)
        let base = Int64(t0 / 1_000_000)
        f.sampler.sample(timeMs: base)
        accepted.add(100)
        failed.add(20)
        f.sampler.sample(timeMs: base + 2_000)
        let text = f.get("/api/v1/pipelines").text
        #expect(text.contains(#""windowSeconds":2"#))
        #expect(
            text.contains(
                #"{"kind":"receiver","id":"otlp","signal":"traces","trouble":false,"rates":[{"name":"accepted spans","perSecond":50,"total":100}]"#
            ), "\(text)")
        #expect(text.contains(#""id":"otlp/out","signal":"traces","trouble":true"#))
        #expect(text.contains(#""problems":["send failed spans: 10.0/s","sending queue 90% full"]"#), "\(text)")
    }

    @Test func tracesComeFromTheMemoryExportersTempoAPI() {
        let f = Fixture()
        let exporter = MemoryTraceExporter(name: "memory", registry: f.registry)
        f.inspection.addTraceStore("memory", exporter)
        let id = TraceID(high: 0, low: 7)
        var span = Span(traceID: id, spanID: SpanID(value: 1), name: "<script>x</script>")
        span.startTimeUnixNano = t0
        span.endTimeUnixNano = t0 + 5_000_000
        _ = try? exporter.consume(
            Traces(resourceSpans: [
                ResourceSpans(
                    resource: Resource(attributes: ["service.name": .string("svc")]),
                    scopeSpans: [ScopeSpans(spans: [span])])
            ]))
        let search = f.get("/tempo/api/search?q=%7Bresource.service.name%3D%22svc%22%7D")
        #expect(search.status == 200)
        #expect(search.text.contains(#""traceID":"00000000000000000000000000000007""#))
        #expect(f.get("/tempo/api/v2/traces/7").status == 200)
        #expect(f.get("/tempo/api/v2/traces/8").status == 404)
        #expect(f.get("/tempo/api/search?q=%7Bname%3D%7D").status == 400)
        let red = f.get("/api/v1/red").text
        #expect(red.contains(#"{"service":"svc","spans":1,"errors":0,"errorRatio":0,"p50Ms":5,"#))
    }

    @Test func engineIsAbsentUntilItsMetricsArriveThenDrawsTheTenPanels() {
        let f = Fixture()
        let base = Int64(t0 / 1_000_000)
        f.sampler.sample(timeMs: base)
        #expect(f.get("/api/v1/engine").text.contains(#""present":false"#))
        f.store.ingest(gauge("kv_cache_memory_bytes", [([:], 1024)]))
        f.sampler.sample(timeMs: base + 2_000)
        let text = f.get("/api/v1/engine").text
        #expect(text.contains(#""present":true"#))
        #expect(
            text.contains(#"{"id":"kv_cache_memory","title":"KV Cache Memory Usage","kind":"gauge","unit":"bytes""#))
        #expect(text.contains(#""points":[[\#(base),null],[\#(base + 2_000),1024]]"#))
        #expect(!text.contains(#""group":"host""#))
    }
}

private func format2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
