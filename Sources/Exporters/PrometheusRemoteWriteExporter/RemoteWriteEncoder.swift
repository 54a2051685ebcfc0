internal import GatewayCore
public import MetricStore
internal import OTLPWire
public import PrometheusTranslation

/// Turns store series into Prometheus remote-write 1.0 `WriteRequest`s (protobuf, before snappy), split so no
/// request exceeds `maxBytes`. Field numbers are those of proto/prometheus (checked by the conformance test).
public struct RemoteWriteEncoder: Sendable {
    /// Prometheus' staleness marker: a NaN with this exact bit pattern.
    public static let staleNaN = Double(bitPattern: 0x7FF0_0000_0000_0002)

    public var externalLabels: [PrometheusLabel]
    public var nativeHistograms: Bool
    public var maxBytes: Int
    public var sendMetadata: Bool

    public init(
        externalLabels: [PrometheusLabel] = [], nativeHistograms: Bool = false, maxBytes: Int = 3_000_000,
        sendMetadata: Bool = true
    ) {
        self.externalLabels = externalLabels.sorted()
        self.nativeHistograms = nativeHistograms
        self.maxBytes = maxBytes
        self.sendMetadata = sendMetadata
    }

    /// One request's bytes and how many samples (histograms count as one) it carries.
    public struct Request: Sendable {
        public var body: [UInt8]
        public var samples: Int
    }

    /// Encodes updated series (their current value, or a stale marker when flagged) and removed series (stale
    /// markers at `removedAtMs`).
    public func encode(updated: [MetricStore.Series], removed: [MetricStore.Series], removedAtMs: Int64) -> [Request] {
        var requests: [Request] = []
        var w = ProtobufWriter(capacity: Swift.min(maxBytes, 1 << 20))
        var samples = 0
        var families: [String: MetricFamily] = [:]

        func flush() {
            guard samples > 0 else { return }
            if sendMetadata {
                for family in families.values.sorted(by: { $0.name < $1.name }) {
                    w.nested(3) { m in
                        m.int32(1, Self.metadataType(family.type))
                        m.string(2, family.name)
                        m.string(4, family.help)
                        m.string(5, family.unit)
                    }
                }
            }
            requests.append(Request(body: w.take(), samples: samples))
            samples = 0
            families.removeAll(keepingCapacity: true)
        }

        var one = ProtobufWriter(capacity: 1024)
        func emit(_ series: MetricStore.Series, stale: Bool, at timestamp: Int64) {
            let n = write(series, stale: stale, timestamp: timestamp, into: &one)
            // Requests split between series, never inside one, so a series' samples stay in one request.
            if w.count > 0, w.count + one.count > maxBytes { flush() }
            w.append(one)
            _ = one.take()
            samples += n
            if sendMetadata, families[series.family.name] == nil { families[series.family.name] = series.family }
        }

        for series in updated { emit(series, stale: series.isStale, at: series.timestampMs) }
        for series in removed { emit(series, stale: true, at: removedAtMs) }
        flush()
        return requests
    }

    static func metadataType(_ t: FamilyType) -> Int32 {
        switch t {
        case .counter: return 1
        case .gauge: return 2
        case .histogram: return 3
        case .summary: return 5
        }
    }

    /// Writes the TimeSeries of one store series; returns the number of samples.
    func write(_ s: MetricStore.Series, stale: Bool, timestamp: Int64, into w: inout ProtobufWriter) -> Int {
        let base = s.labels.addingMissing(externalLabels)
        let name = s.family.name
        // A trace exemplar rides on the series it belongs to: the counter itself, or the bucket its value falls in.
        let exemplar = stale ? nil : s.exemplar.flatMap { $0.traceID.isValid ? $0 : nil }
        func sample(_ suffix: String, _ extra: PrometheusLabel?, _ value: Double, exemplar: Exemplar? = nil) {
            w.nested(1) { ts in
                writeLabels(base, name: name + suffix, extra: extra, into: &ts)
                ts.nested(2) { sm in
                    sm.double(1, stale ? Self.staleNaN : value, always: true)
                    sm.int64(2, timestamp)
                }
                if let exemplar {
                    ts.nested(3) { ex in
                        writeLabel("span_id", exemplar.spanID.description, into: &ex)
                        writeLabel("trace_id", exemplar.traceID.description, into: &ex)
                        ex.double(2, exemplar.value.doubleValue, always: true)
                        ex.int64(3, Int64(exemplar.timeUnixNano / 1_000_000))
                    }
                }
            }
        }
        switch s.value {
        case .number(let v):
            sample("", nil, v, exemplar: exemplar)
            return 1
        case .histogram(let h):
            var running: UInt64 = 0
            let exemplarBucket = exemplar.map { e in h.bounds.firstIndex { e.value.doubleValue <= $0 } ?? h.bounds.count
            }
            for (i, bound) in h.bounds.enumerated() {
                running &+= i < h.bucketCounts.count ? h.bucketCounts[i] : 0
                sample(
                    "_bucket", PrometheusLabel(name: "le", value: prometheusBoundLabelValue(bound)), Double(running),
                    exemplar: exemplarBucket == i ? exemplar : nil)
            }
            sample(
                "_bucket", PrometheusLabel(name: "le", value: "+Inf"), Double(h.count),
                exemplar: exemplarBucket == h.bounds.count ? exemplar : nil)
            sample("_sum", nil, h.sum)
            sample("_count", nil, Double(h.count))
            return h.bounds.count + 3
        case .exponentialHistogram(let e):
            if nativeHistograms, e.scale >= -4 {
                w.nested(1) { ts in
                    writeLabels(base, name: name, extra: nil, into: &ts)
                    ts.nested(4) { h in writeNative(e, stale: stale, timestamp: timestamp, into: &h) }
                }
                return 1
            }
            let buckets = e.classicBuckets()
            for b in buckets {
                sample(
                    "_bucket", PrometheusLabel(name: "le", value: prometheusBoundLabelValue(b.le)),
                    Double(b.cumulativeCount))
            }
            sample("_sum", nil, e.sum)
            sample("_count", nil, Double(e.count))
            return buckets.count + 2
        case .summary(let sm):
            for q in sm.quantiles {
                sample("", PrometheusLabel(name: "quantile", value: prometheusBoundLabelValue(q.quantile)), q.value)
            }
            sample("_sum", nil, sm.sum)
            sample("_count", nil, Double(sm.count))
            return sm.quantiles.count + 2
        }
    }

    /// Native histogram: OTLP bucket i covers (base^i, base^(i+1)], Prometheus bucket j covers (base^(j-1), base^j],
    /// so j = i + 1. Scales above 8 are downscaled to Prometheus' finest schema.
    func writeNative(_ value: ExponentialHistogramValue, stale: Bool, timestamp: Int64, into h: inout ProtobufWriter) {
        var e = value
        if e.scale > 8 {
            let d = e.scale - 8
            (e.positiveCounts, e.positiveOffset) = ExponentialMerge.downscale(
                e.positiveCounts, offset: e.positiveOffset, by: d)
            (e.negativeCounts, e.negativeOffset) = ExponentialMerge.downscale(
                e.negativeCounts, offset: e.negativeOffset, by: d)
            e.scale = 8
        }
        h.uint64(1, e.count)
        h.double(3, stale ? Self.staleNaN : e.sum, always: true)
        h.sint32(4, e.scale)
        h.double(5, e.zeroThreshold)
        h.uint64(6, e.zeroCount)
        if !e.negativeCounts.isEmpty {
            h.nested(8) { span in
                span.sint32(1, e.negativeOffset + 1)
                span.uint32(2, UInt32(e.negativeCounts.count))
            }
            h.nested(9) { d in Self.deltas(e.negativeCounts, into: &d) }
        }
        if !e.positiveCounts.isEmpty {
            h.nested(11) { span in
                span.sint32(1, e.positiveOffset + 1)
                span.uint32(2, UInt32(e.positiveCounts.count))
            }
            h.nested(12) { d in Self.deltas(e.positiveCounts, into: &d) }
        }
        h.int64(15, timestamp)
    }

    static func deltas(_ counts: [UInt64], into w: inout ProtobufWriter) {
        var previous: Int64 = 0
        for c in counts {
            let v = Int64(c)
            let d = v &- previous
            w.varint(UInt64(bitPattern: (d << 1) ^ (d >> 63)))
            previous = v
        }
    }

    /// Writes `labels` plus `__name__` and an optional extra label, in byte order of names, with no array built.
    func writeLabels(_ labels: [PrometheusLabel], name: String, extra: PrometheusLabel?, into w: inout ProtobufWriter) {
        var pending: [(String, String)] = [("__name__", name)]
        if let extra { pending.append((extra.name, extra.value)) }
        if pending.count == 2, pending[1].0 < pending[0].0 { pending.swapAt(0, 1) }
        var p = 0
        for label in labels {
            while p < pending.count, pending[p].0 < label.name {
                writeLabel(pending[p].0, pending[p].1, into: &w)
                p += 1
            }
            writeLabel(label.name, label.value, into: &w)
        }
        while p < pending.count {
            writeLabel(pending[p].0, pending[p].1, into: &w)
            p += 1
        }
    }

    func writeLabel(_ name: String, _ value: String, into w: inout ProtobufWriter) {
        w.nested(1) { l in
            l.string(1, name)
            l.string(2, value)
        }
    }
}
