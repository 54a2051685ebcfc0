internal import ClientTLS
public import GatewayCore
internal import HTTP1Transport
public import Logging
internal import NIOCore
internal import NIOPosix
public import SelfTelemetry
internal import Synchronization

/// Scrapes one target every `interval` and hands the result to the metrics pipelines as OTLP, the way the
/// Collector's prometheus receiver does: job and instance become the resource (`service.name`,
/// `service.instance.id`), the target's other labels go on every point, counters become cumulative monotonic sums
/// whose start time is when the series was first seen (or last reset), and every scrape adds `up`,
/// `scrape_duration_seconds`, `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and
/// `scrape_series_added`. A series that disappears, or every series of a failed scrape, gets one point flagged
/// "no recorded value", which Prometheus reads as a stale marker.
public final class Scraper: Sendable {
    let job: ScrapeJob
    let target: Target
    let next: any Consumer<Metrics>
    let logger: Logger
    let tls: ClientTLS?
    private let state = Mutex(State())
    private let failures: TelemetryCounter

    /// A target after relabeling: where to connect, and the labels its series get.
    struct Target: Sendable {
        var host: String
        var port: Int
        var scheme: String
        var path: String
        var job: String
        var instance: String
        /// Labels other than job and instance.
        var labels: [String: String]
    }

    struct SeriesState: Sendable {
        var start: UInt64
        var last: Double
    }

    /// The series of one exported metric, and its type, for start times and stale markers.
    struct FamilyState: Sendable {
        enum Kind: Sendable { case gauge, counter, histogram, summary }
        var kind: Kind
        var series: [String: SeriesState] = [:]
    }

    struct State: @unchecked Sendable {
        var client: HTTP1Client?
        /// Series of the last scrape, by family name and labels, with their start time and last value.
        var series: [String: FamilyState] = [:]
        var lastFailure: String?
    }

    init(
        job: ScrapeJob, target: Target, next: any Consumer<Metrics>, tls: ClientTLS?, registry: TelemetryRegistry,
        logger: Logger, receiver: String
    ) {
        self.job = job
        self.target = target
        self.next = next
        self.tls = tls
        self.logger = logger
        failures = registry.counter(
            "otlp_gateway_prometheus_scrape_failures_total", help: "Scrapes that failed, by receiver and job.",
            labels: ["receiver": receiver, "job": job.name])
    }

    static let accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// Scrapes until cancelled.
    func run<C: Clock>(clock: C) async where C.Duration == Duration {
        await Periodic.run(every: job.interval, clock: clock, options: .init(tickAtStart: true, tickAtStop: false)) {
            await self.scrapeOnce()
        }
        // Stopped (the target went, or the gateway stops): its series go stale, as Prometheus marks them.
        var stale = state.withLock { s -> [String: FamilyState] in
            defer { s.series = [:] }
            return s.series
        }
        // `up` and the scrape's own series too: the target is gone, not down.
        let targetKey = Self.key(target.labels)
        for name in Self.scrapeSeriesNames {
            stale[name] = FamilyState(kind: .gauge, series: [targetKey: SeriesState(start: 0, last: 0)])
        }
        let markers = staleMarkers(stale, at: WallClock.nowUnixNano())
        _ = try? next.consume(
            Metrics(resourceMetrics: [
                ResourceMetrics(resource: resource, scopeMetrics: [ScopeMetrics(scope: Self.scope, metrics: markers)])
            ]))
        let client = state.withLock { s -> HTTP1Client? in
            defer { s.client = nil }
            return s.client
        }
        await client?.close()
    }

    func scrapeOnce() async {
        let started = WallClock.nowUnixNano()
        let clock = ContinuousClock()
        let begin = clock.now
        var outcome: Result<(families: [PrometheusFamily], scraped: Int), ScrapeError>
        do {
            let (body, openMetrics) = try await fetch()
            let families = try PrometheusTextParser.parse(body, openMetrics: openMetrics)
            outcome = .success((families, families.reduce(0) { $0 + $1.samples.count }))
        } catch let error as ScrapeError {
            outcome = .failure(error)
        } catch let error as PrometheusTextParser.ParseError {
            outcome = .failure(ScrapeError(reason: "malformed exposition: \(error)"))
        } catch {
            outcome = .failure(ScrapeError(reason: "\(error)"))
        }
        let duration =
            Double((clock.now - begin).components.attoseconds) / 1e18 + Double((clock.now - begin).components.seconds)
        var metrics: Metrics
        switch outcome {
        case .success(let result):
            switch convert(result.families, scraped: result.scraped, at: started, duration: duration) {
            case .success(let converted):
                metrics = converted
                if state.withLock({ $0.lastFailure }) != nil {
                    logger.info(
                        "prometheus scrape recovered", metadata: ["job": "\(job.name)", "target": "\(target.instance)"])
                    state.withLock { $0.lastFailure = nil }
                }
            case .failure(let error):
                metrics = failed(error, at: started, duration: duration, scraped: result.scraped)
            }
        case .failure(let error):
            metrics = failed(error, at: started, duration: duration, scraped: 0)
        }
        // What the pipeline refuses now is the next scrape's to carry: scrapes are state, not a queue.
        _ = try? next.consume(metrics)
    }

    struct ScrapeError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    private func fetch() async throws -> (String, Bool) {
        let client: HTTP1Client
        if let existing = state.withLock({ $0.client }), existing.isActive {
            client = existing
        } else {
            let (host, port) = (target.host, target.port)
            var handlers: (@Sendable () throws -> [any ChannelHandler])?
            if let tls = self.tls {
                handlers = { try tls.makeHandlers(host: host, port: port) }
            }
            do {
                client = try await HTTP1Client.connect(
                    host: host, port: port, group: MultiThreadedEventLoopGroup.singleton, tls: handlers)
            } catch {
                throw ScrapeError(reason: "cannot connect to \(target.host):\(target.port): \(error)")
            }
            state.withLock { $0.client = client }
        }
        var query = ""
        for (name, value) in job.params {
            query += (query.isEmpty ? "?" : "&") + Self.percentEncoded(name) + "=" + Self.percentEncoded(value)
        }
        let timeoutSeconds = String(Double(job.timeout.components.seconds))
        var headers: [(String, String)] = [
            ("Accept", Self.accept), ("User-Agent", "otlp-gateway"),
            ("X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds),
        ]
        if let authorization = job.authorization { headers.append(("Authorization", authorization)) }
        let response: HTTP1Client.Response
        do {
            response = try await client.get(
                path: target.path + query, host: "\(target.host):\(target.port)", headers: headers,
                timeout: job.timeout,
                maxBodySize: job.bodySizeLimit > 0 ? job.bodySizeLimit : 64 << 20)
        } catch {
            await client.close()
            state.withLock { $0.client = nil }
            throw ScrapeError(reason: "\(error)")
        }
        guard response.status == 200 else { throw ScrapeError(reason: "HTTP status \(response.status)") }
        let contentType = response.header("Content-Type") ?? ""
        return (String(decoding: response.body, as: UTF8.self), contentType.hasPrefix("application/openmetrics-text"))
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isLetter && byte < 128 || c.isNumber && byte < 128 || "-_.~".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    private func failed(_ error: ScrapeError, at time: UInt64, duration: Double, scraped: Int) -> Metrics {
        failures.add(1)
        let reason = error.reason
        let logged = state.withLock { s -> Bool in
            defer { s.lastFailure = reason }
            return s.lastFailure != reason
        }
        if logged {
            logger.warning(
                "prometheus scrape failed",
                metadata: ["job": "\(job.name)", "target": "\(target.instance)", "reason": "\(reason)"])
        }
        // Every series of the last good scrape goes stale, as in Prometheus.
        let stale = state.withLock { s -> [String: FamilyState] in
            defer { s.series = [:] }
            return s.series
        }
        var metrics = staleMarkers(stale, at: time)
        metrics.append(
            contentsOf: scrapeMetrics(up: 0, duration: duration, scraped: scraped, kept: 0, added: 0, at: time))
        return Metrics(resourceMetrics: [
            ResourceMetrics(resource: resource, scopeMetrics: [ScopeMetrics(scope: Self.scope, metrics: metrics)])
        ])
    }

    static let scope = InstrumentationScope(name: "otlp-gateway/prometheusreceiver", version: "")

    static let scrapeSeriesNames = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    ]

    var resource: Resource {
        var attributes: [Attribute] = [
            Attribute(key: "service.name", value: .string(target.job)),
            Attribute(key: "service.instance.id", value: .string(target.instance)),
            Attribute(key: "server.address", value: .string(target.host)),
            Attribute(key: "server.port", value: .int(Int64(target.port))),
            Attribute(key: "url.scheme", value: .string(target.scheme)),
        ]
        attributes.sort { $0.key < $1.key }
        return Resource(attributes: Attributes(attributes))
    }

    private func scrapeMetrics(up: Double, duration: Double, scraped: Int, kept: Int, added: Int, at time: UInt64)
        -> [Metric]
    {
        let attributes = Attributes(target.labels.map { Attribute(key: $0.key, value: .string($0.value)) })
        func gauge(_ name: String, _ value: Double) -> Metric {
            Metric(
                name: name,
                data: .gauge([NumberDataPoint(attributes: attributes, timeUnixNano: time, value: .double(value))]))
        }
        return [
            gauge("up", up), gauge("scrape_duration_seconds", duration),
            gauge("scrape_samples_scraped", Double(scraped)),
            gauge("scrape_samples_post_metric_relabeling", Double(kept)), gauge("scrape_series_added", Double(added)),
        ]
    }

    /// One point flagged "no recorded value" per series, with its metric's name and type.
    private func staleMarkers(_ families: [String: FamilyState], at time: UInt64) -> [Metric] {
        var out: [Metric] = []
        for (name, family) in families.sorted(by: { $0.key < $1.key }) {
            let keys = family.series.keys.sorted()
            let data: MetricData
            switch family.kind {
            case .gauge, .counter:
                let points = keys.map { key in
                    NumberDataPoint(
                        attributes: Self.attributes(fromKey: key), startTimeUnixNano: family.series[key]!.start,
                        timeUnixNano: time, value: .double(.nan), flags: .noRecordedValue)
                }
                data =
                    family.kind == .gauge
                    ? .gauge(points) : .sum(Sum(dataPoints: points, temporality: .cumulative, isMonotonic: true))
            case .histogram:
                data = .histogram(
                    Histogram(
                        dataPoints: keys.map { key in
                            HistogramDataPoint(
                                attributes: Self.attributes(fromKey: key), startTimeUnixNano: family.series[key]!.start,
                                timeUnixNano: time, count: 0, sum: nil, bucketCounts: [], explicitBounds: [],
                                flags: .noRecordedValue)
                        }, temporality: .cumulative))
            case .summary:
                data = .summary(
                    keys.map { key in
                        SummaryDataPoint(
                            attributes: Self.attributes(fromKey: key), startTimeUnixNano: family.series[key]!.start,
                            timeUnixNano: time, count: 0, sum: 0, flags: .noRecordedValue)
                    })
            }
            out.append(Metric(name: name, data: data))
        }
        return out
    }

    /// Series keys are their sorted labels, `name=value` joined by 0xFF (a byte no label text holds).
    static func key(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{FF}")
    }

    static func attributes(fromKey key: String) -> Attributes {
        guard !key.isEmpty else { return Attributes() }
        return Attributes(
            key.split(separator: "\u{FF}", omittingEmptySubsequences: false).compactMap { pair in
                guard let eq = pair.firstIndex(of: "=") else { return nil }
                return Attribute(key: String(pair[..<eq]), value: .string(String(pair[pair.index(after: eq)...])))
            })
    }

    /// Families to OTLP, after `metric_relabel_configs` and the limits.
    func convert(_ families: [PrometheusFamily], scraped: Int, at time: UInt64, duration: Double)
        -> Result<Metrics, ScrapeError>
    {
        var metrics: [Metric] = []
        var kept = 0
        var seen: [String: FamilyState] = [:]
        let previous = state.withLock { $0.series }
        var added = 0
        let targetLabels = target.labels.merging(["job": target.job, "instance": target.instance]) { a, _ in a }
        for family in families {
            // Samples after relabeling, with target labels merged.
            var samples: [(name: String, labels: [String: String], value: Double, time: UInt64)] = []
            for sample in family.samples {
                var labels: [String: String] = [:]
                for (name, value) in sample.labels { labels[name] = value }
                for (name, value) in target.labels.merging(
                    ["job": target.job, "instance": target.instance], uniquingKeysWith: { a, _ in a })
                {
                    if let scraped = labels[name], !job.honorLabels {
                        labels["exported_" + name] = scraped
                        labels[name] = value
                    } else if labels[name] == nil {
                        labels[name] = value
                    }
                }
                labels["__name__"] = sample.name
                guard var relabeled = RelabelRule.apply(job.metricRelabel, to: labels) else { continue }
                let name = relabeled.removeValue(forKey: "__name__") ?? sample.name
                if job.labelLimit > 0, relabeled.count > job.labelLimit {
                    return .failure(ScrapeError(reason: "label_limit exceeded: \(name) has \(relabeled.count) labels"))
                }
                // Job and instance are the resource; the rest stays on the point.
                relabeled["job"] = nil
                relabeled["instance"] = nil
                let timestamp =
                    job.honorTimestamps ? sample.timestampMs.map { UInt64(max(0, $0)) * 1_000_000 } ?? time : time
                samples.append((name, relabeled, sample.value, timestamp))
            }
            kept += samples.count
            if job.sampleLimit > 0, kept > job.sampleLimit {
                return .failure(ScrapeError(reason: "sample_limit exceeded: more than \(job.sampleLimit) samples"))
            }
            guard !samples.isEmpty else { continue }
            let exported =
                family.kind == .counter && !family.name.hasSuffix("_total") ? family.name + "_total" : family.name
            let kind: FamilyState.Kind
            switch family.kind {
            case .counter: kind = .counter
            case .histogram: kind = .histogram
            case .summary: kind = .summary
            default: kind = .gauge
            }
            var familySeen = seen[exported]?.series ?? [:]
            let familyPrevious = previous[exported]?.series ?? [:]
            // OpenMetrics `_created` (seconds): the series' true start, as the Collector takes it.
            var created: [String: UInt64] = [:]
            for s in samples where s.name.hasSuffix("_created") && s.value.isFinite && s.value > 0 {
                created[Self.key(s.labels)] = UInt64(s.value * 1e9)
            }
            func start(_ key: String, _ value: Double) -> UInt64 {
                if let explicit = created[key] { return explicit }
                if let old = familyPrevious[key], value >= old.last { return old.start }
                return time
            }
            switch family.kind {
            case .counter:
                let points = samples.filter { !$0.name.hasSuffix("_created") }.map { s -> NumberDataPoint in
                    let key = Self.key(s.labels)
                    let begin = start(key, s.value)
                    if familyPrevious[key] == nil { added += 1 }
                    familySeen[key] = SeriesState(start: begin, last: s.value)
                    return NumberDataPoint(
                        attributes: Self.attributes(s.labels), startTimeUnixNano: begin, timeUnixNano: s.time,
                        value: .double(s.value))
                }
                metrics.append(
                    Metric(
                        name: exported,
                        description: family.help,
                        data: .sum(Sum(dataPoints: points, temporality: .cumulative, isMonotonic: true))))
            case .histogram:
                var groups:
                    [String: (
                        labels: [String: String], buckets: [(Double, Double)], sum: Double, count: Double, time: UInt64
                    )] = [:]
                var order: [String] = []
                for s in samples {
                    var labels = s.labels
                    let le = labels.removeValue(forKey: "le")
                    let key = Self.key(labels)
                    if groups[key] == nil {
                        groups[key] = (labels, [], 0, 0, s.time)
                        order.append(key)
                    }
                    if s.name.hasSuffix("_created") { continue }
                    if s.name.hasSuffix("_bucket"), let le, let bound = PrometheusTextParser.parseValue(Substring(le)) {
                        groups[key]!.buckets.append((bound, s.value))
                    } else if s.name.hasSuffix("_sum") {
                        groups[key]!.sum = s.value
                    } else if s.name.hasSuffix("_count") {
                        groups[key]!.count = s.value
                    }
                }
                let points = order.map { key -> HistogramDataPoint in
                    let g = groups[key]!
                    let sorted = g.buckets.sorted { $0.0 < $1.0 }
                    var bounds: [Double] = []
                    var counts: [UInt64] = []
                    var previousCumulative = 0.0
                    for (bound, cumulative) in sorted where bound.isFinite {
                        bounds.append(bound)
                        counts.append(UInt64(max(0, cumulative - previousCumulative)))
                        previousCumulative = cumulative
                    }
                    counts.append(UInt64(max(0, g.count - previousCumulative)))
                    let begin = start(key, g.count)
                    if familyPrevious[key] == nil { added += 1 }
                    familySeen[key] = SeriesState(start: begin, last: g.count)
                    return HistogramDataPoint(
                        attributes: Self.attributes(g.labels), startTimeUnixNano: begin, timeUnixNano: g.time,
                        count: UInt64(max(0, g.count)), sum: g.sum, bucketCounts: counts, explicitBounds: bounds)
                }
                metrics.append(
                    Metric(
                        name: family.name, description: family.help,
                        data: .histogram(Histogram(dataPoints: points, temporality: .cumulative))))
            case .summary:
                var groups:
                    [String: (
                        labels: [String: String], quantiles: [(Double, Double)], sum: Double, count: Double,
                        time: UInt64
                    )] = [:]
                var order: [String] = []
                for s in samples {
                    var labels = s.labels
                    let quantile = labels.removeValue(forKey: "quantile")
                    let key = Self.key(labels)
                    if groups[key] == nil {
                        groups[key] = (labels, [], 0, 0, s.time)
                        order.append(key)
                    }
                    if let quantile, let q = Double(quantile) {
                        groups[key]!.quantiles.append((q, s.value))
                    } else if s.name.hasSuffix("_sum") {
                        groups[key]!.sum = s.value
                    } else if s.name.hasSuffix("_count") {
                        groups[key]!.count = s.value
                    }
                }
                let points = order.map { key -> SummaryDataPoint in
                    let g = groups[key]!
                    let begin = start(key, g.count)
                    if familyPrevious[key] == nil { added += 1 }
                    familySeen[key] = SeriesState(start: begin, last: g.count)
                    return SummaryDataPoint(
                        attributes: Self.attributes(g.labels), startTimeUnixNano: begin, timeUnixNano: g.time,
                        count: UInt64(max(0, g.count)), sum: g.sum,
                        quantileValues: g.quantiles.sorted { $0.0 < $1.0 }.map { .init(quantile: $0.0, value: $0.1) })
                }
                metrics.append(Metric(name: family.name, description: family.help, data: .summary(points)))
            default:
                // Gauges, untyped, info, stateset and gauge histograms: one gauge per sample name.
                var byName: [String: [NumberDataPoint]] = [:]
                var names: [String] = []
                for s in samples {
                    let key = Self.key(s.labels)
                    if previous[s.name]?.series[key] == nil { added += 1 }
                    seen[s.name, default: FamilyState(kind: .gauge)].series[key] = SeriesState(
                        start: time, last: s.value)
                    if byName[s.name] == nil { names.append(s.name) }
                    byName[s.name, default: []].append(
                        NumberDataPoint(
                            attributes: Self.attributes(s.labels), timeUnixNano: s.time, value: .double(s.value)))
                }
                for name in names {
                    metrics.append(Metric(name: name, description: family.help, data: .gauge(byName[name]!)))
                }
            }
            if kind != .gauge { seen[exported] = FamilyState(kind: kind, series: familySeen) }
        }
        // Series of the last scrape that this one lacks: a stale marker each.
        var gone: [String: FamilyState] = [:]
        for (name, family) in previous {
            let missing = family.series.filter { seen[name]?.series[$0.key] == nil }
            if !missing.isEmpty { gone[name] = FamilyState(kind: family.kind, series: missing) }
        }
        metrics.append(contentsOf: staleMarkers(gone, at: time))
        metrics.append(
            contentsOf: scrapeMetrics(up: 1, duration: duration, scraped: scraped, kept: kept, added: added, at: time))
        state.withLock { $0.series = seen }
        return .success(
            Metrics(resourceMetrics: [
                ResourceMetrics(resource: resource, scopeMetrics: [ScopeMetrics(scope: Self.scope, metrics: metrics)])
            ]))
    }

    static func attributes(_ labels: [String: String]) -> Attributes {
        Attributes(labels.map { Attribute(key: $0.key, value: .string($0.value)) })
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
