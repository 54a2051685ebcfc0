internal import ComponentKit
internal import MetricStore
internal import PrometheusTranslation
internal import SelfTelemetry

/// Declared here, filled by `Page/`: the page's HTML shell, script and style.
enum ZPagesAssets {}

/// Everything the `zpages` endpoint answers, as a pure function of the request, the graph's inspection and the
/// sampler's history, so it is tested without sockets. Pages are one HTML shell per path with the script and
/// style as static files; data comes from the JSON API under `/api/v1/` and Tempo's API under `/tempo/`.
struct ZPagesAPI: Sendable {
    struct Response: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
        var headers: [(name: String, value: String)] = []

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let inspection: GraphInspection
    let sampler: ZPagesSampler
    /// Wall clock in milliseconds, injected for tests.
    let nowMs: @Sendable () -> Int64

    /// The pages, by path: the `data-page` the script renders.
    static let pages: [String: String] = [
        "/": "service", "/debug/servicez": "service", "/debug/pipelinez": "pipelines",
        "/debug/extensionz": "extensions", "/debug/enginez": "engine", "/debug/tracez": "traces",
        "/debug/cardinalityz": "cardinality",
    ]

    /// No script, style or connection but our own, no framing: strings shown come from telemetry senders.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    static let json = "application/json"

    func handle(method: String, target: String) -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? String(parts[1]) : ""
        guard method == "GET" || method == "HEAD" else {
            return Self.error(405, "method \(method) not allowed: this endpoint is read-only")
        }
        var response = route(path: path, query: query, target: target)
        response.headers += [
            ("Content-Security-Policy", Self.contentSecurityPolicy), ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"),
        ]
        return response
    }

    private func route(path: String, query: String, target: String) -> Response {
        if let page = Self.pages[path] {
            return Response(
                status: 200, contentType: "text/html; charset=utf-8", body: Array(ZPagesAssets.shell(page: page).utf8))
        }
        switch path {
        case "/static/zpages.js":
            return Response(
                status: 200, contentType: "text/javascript; charset=utf-8", body: Array(ZPagesAssets.script.utf8))
        case "/static/zpages.css":
            return Response(status: 200, contentType: "text/css; charset=utf-8", body: Array(ZPagesAssets.style.utf8))
        case "/api/v1/service": return Self.ok(service())
        case "/api/v1/pipelines": return Self.ok(pipelines())
        case "/api/v1/engine": return Self.ok(engine())
        case "/api/v1/red": return Self.ok(red())
        case "/api/v1/cardinality", "/api/v1/series":
            do throws(ParameterError) {
                let parameters = try Parameters(query)
                return path == "/api/v1/series" ? try series(parameters) : Self.ok(try cardinality(parameters))
            } catch {
                return Self.error(400, error.message)
            }
        default:
            if path.hasPrefix("/tempo/") { return tempo(String(target.dropFirst("/tempo".count))) }
            return Self.error(404, "not found: \(path)")
        }
    }

    static func ok(_ value: JSONValue) -> Response {
        Response(status: 200, contentType: json, body: value.encoded())
    }

    static func error(_ status: Int, _ message: String) -> Response {
        Response(status: status, contentType: json, body: JSONValue.object([("error", .string(message))]).encoded())
    }

    // MARK: - Service

    private func value(_ samples: [TelemetryRegistry.Sample], _ name: String) -> Double? {
        samples.first { $0.name == name }?.value
    }

    func service() -> JSONValue {
        let samples = inspection.registry.samples()
        let shape = inspection.shape
        let now = nowMs()
        let started = Int64(inspection.startTimeUnixNano / 1_000_000)
        return .object([
            ("name", .string("otlp-gateway")), ("version", .string(inspection.version)),
            ("startTimeUnixMs", .number(Double(started))),
            ("uptimeSeconds", .number(Double(Swift.max(0, now - started)) / 1000)),
            ("rssBytes", .optional(value(samples, "otelcol_process_memory_rss_bytes"))),
            ("cpuSeconds", .optional(value(samples, "otelcol_process_cpu_seconds_total"))),
            (
                "extensions",
                .array(
                    shape.extensions.map { id in
                        .object([("id", .string(id)), ("type", .string(String(id.prefix { $0 != "/" })))])
                    })
            ),
            ("pipelines", .int(shape.pipelines.count)),
            ("stepSeconds", .number(Double(sampler.stepMs) / 1000)),
        ])
    }

    // MARK: - Engine

    func engine() -> JSONValue {
        let ticks = sampler.ticks
        let present = ticks.last.map { !$0.families.isEmpty } ?? false
        var panels: [JSONValue] = []
        for panel in EnginePanels.engine + EnginePanels.host {
            let series = EnginePanels.compute(panel, ticks: ticks, windowMs: sampler.rateWindowMs)
            // Host and GPU panels only when their metrics are there.
            if panel.group == "host", !series.contains(where: { $0.points.contains { $0.1 != nil } }) { continue }
            var members: [(String, JSONValue)] = [
                ("id", .string(panel.id)), ("title", .string(panel.title)), ("kind", .string(panel.kind)),
                ("unit", .string(panel.unit)), ("group", .string(panel.group)),
            ]
            // The gauge's scale: the cache's size (used + free) when the engine reports free memory, else the
            // reference dashboard's fixed 10 GiB; thresholds stay at the dashboard's 50 % and 80 %.
            if var max = panel.max {
                var thresholds = panel.thresholds
                if panel.id == "kv_cache_memory", let size = Self.cacheSize(ticks), size > 0 {
                    thresholds = thresholds.map { $0 / max * size }
                    max = size
                }
                members.append(("max", .number(max)))
                members.append(("thresholds", .array(thresholds.map(JSONValue.number))))
            }
            members.append(
                (
                    "series",
                    .array(
                        series.map { line in
                            .object([
                                ("name", .string(line.name)),
                                (
                                    "points",
                                    .array(
                                        line.points.map { point in
                                            .array([.number(Double(point.0)), .optional(point.1)])
                                        })
                                ),
                            ])
                        })
                ))
            panels.append(.object(members))
        }
        return .object([
            ("stepSeconds", .number(Double(sampler.stepMs) / 1000)),
            ("windowSeconds", .number(Double(sampler.rateWindowMs) / 1000)), ("present", .bool(present)),
            ("panels", .array(panels)),
        ])
    }

    /// The KV cache's size at the last tick that reports both used and free memory.
    static func cacheSize(_ ticks: [ZPagesSampler.Tick]) -> Double? {
        for tick in ticks.reversed() {
            guard let used = tick.families["kv_cache_memory_bytes"],
                let free = tick.families["kv_cache_free_memory_bytes"]
            else { continue }
            var total = 0.0
            for value in Array(used.values) + Array(free.values) {
                if case .number(let n) = value, n.isFinite { total += n }
            }
            return total
        }
        return nil
    }

    // MARK: - Traces

    private func tempo(_ target: String) -> Response {
        guard let store = inspection.traceStores.first else {
            return Self.error(404, "no memory exporter in this configuration: traces are not kept")
        }
        let answer = store.view.tempoRequest(method: "GET", target: target, accept: nil)
        return Response(status: answer.status, contentType: answer.contentType, body: answer.body)
    }

    func red() -> JSONValue {
        var services: [JSONValue] = []
        for (_, view) in inspection.traceStores {
            for summary in view.serviceSummaries() {
                let seconds =
                    summary.lastEndUnixNano > summary.firstStartUnixNano
                    ? Double(summary.lastEndUnixNano - summary.firstStartUnixNano) / 1e9 : 0
                services.append(
                    .object([
                        ("service", .string(summary.service)), ("spans", .int(summary.spans)),
                        ("errors", .int(summary.errors)),
                        (
                            "errorRatio",
                            .number(summary.spans > 0 ? Double(summary.errors) / Double(summary.spans) : 0)
                        ),
                        ("p50Ms", .number(Double(summary.p50Nanos) / 1e6)),
                        ("p95Ms", .number(Double(summary.p95Nanos) / 1e6)),
                        ("p99Ms", .number(Double(summary.p99Nanos) / 1e6)),
                        ("spansPerSecond", seconds > 0 ? .number(Double(summary.spans) / seconds) : .null),
                    ]))
            }
        }
        return .object([("services", .array(services))])
    }
}
