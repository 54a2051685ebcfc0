internal import MetricStore
internal import PrometheusTranslation

/// The engine page's panels: the reference dashboard's ten continuous-batching panels, then the host and GPU
/// panels, each computed from the sampler's history with the meaning of the Grafana dashboard's queries (`rate`
/// over a window, `histogram_quantile` over `sum by (le)` of bucket rates, sums of gauges).
enum EnginePanels {
    /// How one line of a panel is computed from a family's series.
    enum Expression {
        /// The sum over the family's series (`kv_cache_memory_bytes`).
        case sum(String)
        /// The sum of the series' per-second increase over the rate window (`rate(x_total[30s])`).
        case rate(String)
        /// `histogram_quantile(q, sum by (le) (rate(x_bucket[30s])))`.
        case quantile(Double, String)
        /// One line per value of `label` (sum, or average with `average`), leaving out series whose `label` is
        /// `excluding`: `avg by (state) (system_cpu_utilization_ratio{state!="idle"})`.
        case by(label: String, family: String, average: Bool, excluding: String?)
    }

    struct Line {
        var legend: String
        var expression: Expression
    }

    struct Panel {
        var id: String
        var title: String
        var kind: String
        var unit: String
        var group: String
        var max: Double? = nil
        var thresholds: [Double] = []
        var lines: [Line]
    }

    static let engine: [Panel] = [
        Panel(
            id: "kv_cache_memory", title: "KV Cache Memory Usage", kind: "gauge", unit: "bytes", group: "engine",
            max: 10_737_418_240, thresholds: [5_368_709_120, 8_589_934_592],
            lines: [Line(legend: "used", expression: .sum("kv_cache_memory_bytes"))]),
        Panel(
            id: "active_requests", title: "Active Requests", kind: "stat", unit: "", group: "engine",
            lines: [Line(legend: "active", expression: .sum("active_requests_count"))]),
        Panel(
            id: "waiting_requests", title: "Waiting Requests", kind: "stat", unit: "", group: "engine",
            lines: [Line(legend: "waiting", expression: .sum("waiting_requests_count"))]),
        Panel(
            id: "decode_prefill_ratio", title: "Decode/Prefill Ratio", kind: "stat", unit: "", group: "engine",
            lines: [Line(legend: "ratio", expression: .sum("decode_prefill_ratio"))]),
        Panel(
            id: "decode_tokens_rate", title: "Decode tokens throughput tok/s", kind: "timeseries", unit: "tok/s",
            group: "engine", lines: [Line(legend: "decode", expression: .rate("decode_tokens_processed_total"))]),
        Panel(
            id: "prefill_tokens_rate", title: "Prefill rate tok/s", kind: "timeseries", unit: "tok/s",
            group: "engine", lines: [Line(legend: "prefill", expression: .rate("prefill_tokens_processed_total"))]),
        Panel(
            id: "batch_fill_percentiles", title: "Batch fill percentage percentiles", kind: "timeseries",
            unit: "percent", group: "engine",
            lines: quantiles("batch_fill_percentage_percent", [0.5, 0.95, 0.99])),
        Panel(
            id: "kv_cache_memory_over_time", title: "KV Cache Memory Usage Over Time", kind: "timeseries",
            unit: "bytes", group: "engine",
            lines: [
                Line(legend: "used memory", expression: .sum("kv_cache_memory_bytes")),
                Line(legend: "free memory", expression: .sum("kv_cache_free_memory_bytes")),
            ]),
        Panel(
            id: "ttft", title: "Time to First Token (TTFT)", kind: "bargauge", unit: "ms", group: "engine",
            lines: quantiles("ttft_milliseconds", [0.95, 0.5, 0.99])),
        Panel(
            id: "request_latency_percentiles", title: "Request latency percentiles", kind: "timeseries", unit: "ms",
            group: "engine", lines: quantiles("request_latency_milliseconds", [0.5, 0.95, 0.99])),
    ]

    static let host: [Panel] = [
        Panel(
            id: "host_cpu", title: "Host CPU utilization by state", kind: "timeseries", unit: "ratio", group: "host",
            lines: [
                Line(
                    legend: "",
                    expression: .by(
                        label: "state", family: "system_cpu_utilization_ratio", average: true, excluding: "idle"))
            ]),
        Panel(
            id: "load_average", title: "Load average", kind: "timeseries", unit: "", group: "host",
            lines: [
                Line(legend: "1m", expression: .sum("system_cpu_load_average_1m")),
                Line(legend: "5m", expression: .sum("system_cpu_load_average_5m")),
                Line(legend: "15m", expression: .sum("system_cpu_load_average_15m")),
            ]),
        Panel(
            id: "host_memory", title: "Host memory by state", kind: "timeseries", unit: "bytes", group: "host",
            lines: [
                Line(
                    legend: "",
                    expression: .by(label: "state", family: "system_memory_usage_bytes", average: false, excluding: nil)
                )
            ]),
        Panel(
            id: "gpu_utilization", title: "GPU utilization", kind: "timeseries", unit: "ratio", group: "host",
            lines: [Line(legend: "utilization", expression: .sum("hw_gpu_utilization_ratio"))]),
        Panel(
            id: "gpu_memory", title: "GPU memory", kind: "timeseries", unit: "bytes", group: "host",
            lines: [
                Line(legend: "used", expression: .sum("hw_gpu_memory_usage_bytes")),
                Line(legend: "limit", expression: .sum("hw_gpu_memory_limit_bytes")),
            ]),
    ]

    private static func quantiles(_ family: String, _ qs: [Double]) -> [Line] {
        qs.map { Line(legend: "p\(Int(($0 * 100).rounded()))", expression: .quantile($0, family)) }
    }

    /// Every family a panel reads: what the sampler keeps.
    static let sampledFamilies: Set<String> = Set(
        (engine + host).flatMap { $0.lines }.map {
            switch $0.expression {
            case .sum(let f), .rate(let f), .quantile(_, let f): return f
            case .by(_, let f, _, _): return f
            }
        })

    /// A computed line: a legend and `(unixMs, value)` points, nil for a gap.
    struct Series {
        var name: String
        var points: [(Int64, Double?)]
    }

    /// The lines of `panel` over `ticks`, each point computed from the ticks up to it.
    static func compute(_ panel: Panel, ticks: [ZPagesSampler.Tick], windowMs: Int64) -> [Series] {
        var result: [Series] = []
        for line in panel.lines {
            switch line.expression {
            case .sum(let family):
                result.append(
                    Series(
                        name: line.legend,
                        points: ticks.map { tick in
                            (tick.timeMs, tick.families[family].map { sum($0.values) } ?? nil)
                        }))
            case .rate(let family):
                result.append(
                    Series(
                        name: line.legend,
                        points: ticks.indices.map { i in
                            (ticks[i].timeMs, rate(family, ticks, at: i, windowMs: windowMs))
                        }))
            case .quantile(let q, let family):
                result.append(
                    Series(
                        name: line.legend,
                        points: ticks.indices.map { i in
                            (ticks[i].timeMs, quantile(q, family, ticks, at: i, windowMs: windowMs))
                        }))
            case .by(let label, let family, let average, let excluding):
                var values: Set<String> = []
                for tick in ticks {
                    for labels in tick.families[family]?.keys ?? [:].keys {
                        if let value = labels.first(where: { $0.name == label })?.value, value != excluding {
                            values.insert(value)
                        }
                    }
                }
                for value in values.sorted() {
                    result.append(
                        Series(
                            name: value,
                            points: ticks.map { tick in
                                guard let series = tick.families[family] else { return (tick.timeMs, nil) }
                                let matching = series.filter { labels, _ in
                                    labels.contains { $0.name == label && $0.value == value }
                                }.values
                                guard let total = sum(matching) else { return (tick.timeMs, nil) }
                                return (tick.timeMs, average ? total / Double(matching.count) : total)
                            }))
                }
            }
        }
        return result
    }

    private static func sum(_ values: some Collection<ZPagesSampler.Value>) -> Double? {
        var total = 0.0
        var any = false
        for value in values {
            if case .number(let n) = value, n.isFinite {
                total += n
                any = true
            }
        }
        return any ? total : nil
    }

    /// The tick the window ending at tick `i` starts from: the oldest within `windowMs`, nil when none is older
    /// than `i` itself.
    private static func windowStart(_ ticks: [ZPagesSampler.Tick], at i: Int, windowMs: Int64) -> Int? {
        var j = i
        while j > 0, ticks[i].timeMs - ticks[j - 1].timeMs <= windowMs { j -= 1 }
        return j < i ? j : nil
    }

    /// The counter increase between two values, a decrease being a reset (the new value counted from zero).
    private static func increase(from old: Double, to new: Double) -> Double { new >= old ? new - old : new }

    /// The value of series `labels` at the earliest tick of the window `j..<i` that has it (Prometheus' range
    /// functions start from the first sample each series has in the range).
    private static func first(
        _ labels: [PrometheusLabel], _ family: String, _ ticks: [ZPagesSampler.Tick], from j: Int, before i: Int
    ) -> (value: ZPagesSampler.Value, timeMs: Int64)? {
        for k in j..<i {
            if let value = ticks[k].families[family]?[labels] { return (value, ticks[k].timeMs) }
        }
        return nil
    }

    static func rate(_ family: String, _ ticks: [ZPagesSampler.Tick], at i: Int, windowMs: Int64) -> Double? {
        guard let j = windowStart(ticks, at: i, windowMs: windowMs), let now = ticks[i].families[family] else {
            return nil
        }
        var total = 0.0
        var any = false
        for (labels, value) in now {
            guard case .number(let new) = value,
                let (earlier, timeMs) = first(labels, family, ticks, from: j, before: i),
                case .number(let old) = earlier, timeMs < ticks[i].timeMs
            else { continue }
            total += increase(from: old, to: new) / (Double(ticks[i].timeMs - timeMs) / 1000)
            any = true
        }
        return any ? total : nil
    }

    static func quantile(_ q: Double, _ family: String, _ ticks: [ZPagesSampler.Tick], at i: Int, windowMs: Int64)
        -> Double?
    {
        guard let j = windowStart(ticks, at: i, windowMs: windowMs), let now = ticks[i].families[family] else {
            return nil
        }
        // sum by (le): increases per upper bound over every series.
        var byBound: [Double: Double] = [:]
        for (labels, value) in now {
            guard case .histogram(let new) = value else { continue }
            let old: ClassicHistogramValue? =
                if case .histogram(let h)? = first(labels, family, ticks, from: j, before: i)?.value,
                    h.bounds == new.bounds
                { h } else { nil }
            let reset = old.map { $0.count > new.count } ?? true
            var cumulativeNew = 0.0
            var cumulativeOld = 0.0
            for (index, count) in new.bucketCounts.enumerated() {
                cumulativeNew += Double(count)
                if let old, !reset, index < old.bucketCounts.count { cumulativeOld += Double(old.bucketCounts[index]) }
                let bound = index < new.bounds.count ? new.bounds[index] : .infinity
                // A series with no earlier sample in the window has no increase to show, as in Prometheus.
                guard old != nil else { continue }
                byBound[bound, default: 0] += reset ? cumulativeNew : cumulativeNew - cumulativeOld
            }
        }
        return histogramQuantile(q, buckets: byBound.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Prometheus' `histogram_quantile` over cumulative `(upper bound, count)` buckets ending with +Inf: linear
    /// interpolation inside the bucket holding the rank; the first bucket starts at 0 when its bound is positive;
    /// a rank in the +Inf bucket answers the highest finite bound. Nil without observations.
    static func histogramQuantile(_ q: Double, buckets: [(Double, Double)]) -> Double? {
        guard let last = buckets.last, last.0 == .infinity, last.1 > 0, q >= 0, q <= 1 else { return nil }
        let rank = q * last.1
        var previousBound = 0.0
        var previousCount = 0.0
        for (index, (bound, count)) in buckets.enumerated() {
            if count >= rank {
                if bound == .infinity { return index > 0 ? buckets[index - 1].0 : nil }
                if index == 0, bound <= 0 { return bound }
                let inBucket = count - previousCount
                guard inBucket > 0 else { return bound }
                return previousBound + (bound - previousBound) * (rank - previousCount) / inBucket
            }
            previousBound = bound
            previousCount = count
        }
        return nil
    }
}
