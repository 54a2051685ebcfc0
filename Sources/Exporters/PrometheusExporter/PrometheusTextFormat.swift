public import MetricStore
public import PrometheusTranslation

/// Renders store series in the Prometheus text exposition format 0.0.4, or OpenMetrics 1.0.0.
///
/// Bytes are appended to one buffer; each series' `name{labels` prefix is built once and reused for its
/// buckets. Families come in the store's order (by name, then labels), so the output is deterministic.
public enum PrometheusTextFormat {
    public static let textContentType = "text/plain; version=0.0.4; charset=utf-8"
    public static let openMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    public static func render(_ series: [MetricStore.Series], openMetrics: Bool, constLabels: [PrometheusLabel] = [])
        -> [UInt8]
    {
        var out: [UInt8] = []
        out.reserveCapacity(series.count * 96)
        var current: String?
        for s in series {
            let family = s.family
            if family.name != current {
                current = family.name
                writeHeader(family, openMetrics: openMetrics, into: &out)
            }
            let labels = s.labels.addingMissing(constLabels)
            writeSeries(s, labels: labels, openMetrics: openMetrics, into: &out)
        }
        if openMetrics { append("# EOF\n", to: &out) }
        return out
    }

    static func writeHeader(_ family: MetricFamily, openMetrics: Bool, into out: inout [UInt8]) {
        var name = family.name
        var type = family.type.rawValue
        if openMetrics {
            // OpenMetrics names the counter family without `_total`, and target_info is an `info` family.
            if family.type == .counter, name.hasSuffix("_total") { name.removeLast(6) }
            if name == "target_info" {
                name = "target"
                type = "info"
            }
        }
        let help = family.help.isEmpty ? "OTLP metric \(family.name)" : family.help
        append("# HELP \(name) ", to: &out)
        appendEscaped(help, quotes: false, to: &out)
        append("\n# TYPE \(name) \(type)\n", to: &out)
        if openMetrics, !family.unit.isEmpty, family.type != .counter, name.hasSuffix("_" + unitWord(family)) {
            // UNIT is optional; only emit it when the name carries the unit as OpenMetrics requires.
            append("# UNIT \(name) \(unitWord(family))\n", to: &out)
        }
    }

    static func unitWord(_ family: MetricFamily) -> String {
        // The translated name already ends with the unit word when it had one; reuse it.
        guard let underscore = family.name.lastIndex(of: "_") else { return "" }
        return String(family.name[family.name.index(after: underscore)...])
    }

    static func writeSeries(
        _ s: MetricStore.Series, labels: [PrometheusLabel], openMetrics: Bool, into out: inout [UInt8]
    ) {
        var name = s.family.name
        if openMetrics, s.family.type == .counter, !name.hasSuffix("_total") { name += "_total" }
        switch s.value {
        case .number(let v):
            sample(name, labels, extra: nil, value: v, into: &out)
        case .histogram(let h):
            var running: UInt64 = 0
            for (i, bound) in h.bounds.enumerated() {
                running &+= i < h.bucketCounts.count ? h.bucketCounts[i] : 0
                sample(
                    name + "_bucket", labels, extra: ("le", prometheusBoundLabelValue(bound)), value: Double(running),
                    into: &out)
            }
            sample(name + "_bucket", labels, extra: ("le", "+Inf"), value: Double(h.count), into: &out)
            sample(name + "_sum", labels, extra: nil, value: h.sum, into: &out)
            sample(name + "_count", labels, extra: nil, value: Double(h.count), into: &out)
        case .exponentialHistogram(let e):
            for b in e.classicBuckets() {
                sample(
                    name + "_bucket", labels, extra: ("le", prometheusBoundLabelValue(b.le)),
                    value: Double(b.cumulativeCount), into: &out)
            }
            sample(name + "_sum", labels, extra: nil, value: e.sum, into: &out)
            sample(name + "_count", labels, extra: nil, value: Double(e.count), into: &out)
        case .summary(let sm):
            for q in sm.quantiles {
                sample(
                    name, labels, extra: ("quantile", prometheusBoundLabelValue(q.quantile)), value: q.value, into: &out
                )
            }
            sample(name + "_sum", labels, extra: nil, value: sm.sum, into: &out)
            sample(name + "_count", labels, extra: nil, value: Double(sm.count), into: &out)
        }
    }

    static func sample(
        _ name: String, _ labels: [PrometheusLabel], extra: (String, String)?, value: Double, into out: inout [UInt8]
    ) {
        append(name, to: &out)
        if !labels.isEmpty || extra != nil {
            out.append(UInt8(ascii: "{"))
            var first = true
            for l in labels {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                label(l.name, l.value, into: &out)
            }
            if let extra {
                if !first { out.append(UInt8(ascii: ",")) }
                label(extra.0, extra.1, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: " "))
        append(formatValue(value), to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    static func label(_ name: String, _ value: String, into out: inout [UInt8]) {
        append(name, to: &out)
        append("=\"", to: &out)
        appendEscaped(value, quotes: true, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    public static func formatValue(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(.towardZero), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    @inline(__always)
    static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    static func appendEscaped(_ s: String, quotes: Bool, to out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\"") where quotes: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            default: out.append(b)
            }
        }
    }
}
