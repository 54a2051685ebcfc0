/// Deterministic estimates of the memory telemetry holds, for bounds that are promised in bytes (the batch
/// processor's buffer, the memory exporter's store): cheap to compute (a walk with no allocation), stable across
/// runs so tests and capacity planning can rely on them, and not a measurement of the heap.
///
/// Each item is charged a fixed overhead (roughly its inline size: ids, times, counters and the headers of its
/// strings and arrays) plus the UTF-8 lengths of its strings and the sizes of its attributes. Wire-form traces are
/// charged their byte count, which is what they hold.
public enum Footprint {
    /// Charged per span, besides its strings, attributes, events and links.
    public static let spanOverhead = 192
    /// Charged per attribute (key and value headers), on every kind of item.
    public static let attributeOverhead = 48
    /// Charged per span event and per span link, besides their strings and attributes.
    public static let eventOrLinkOverhead = 64
    /// Charged per element of an array or key-value list attribute value.
    public static let nestedValueOverhead = 16
    /// Charged per metric data point or log record, besides its attributes, buckets and strings.
    public static let pointOverhead = 96
    /// Charged per resource, scope and metric (their headers).
    public static let groupOverhead = 64

    /// A span: `spanOverhead` + the name, trace state and status message + its attributes + for each event or link
    /// `eventOrLinkOverhead`, its name or trace state and its attributes.
    public static func of(_ span: Span) -> Int {
        var size = spanOverhead + span.name.utf8.count + span.traceState.utf8.count + span.status.message.utf8.count
        size += of(span.attributes)
        for event in span.events { size += eventOrLinkOverhead + event.name.utf8.count + of(event.attributes) }
        for link in span.links { size += eventOrLinkOverhead + link.traceState.utf8.count + of(link.attributes) }
        return size
    }

    /// Attributes: per attribute `attributeOverhead` + the key + the value.
    public static func of(_ attributes: Attributes) -> Int {
        var size = 0
        for attribute in attributes { size += attributeOverhead + attribute.key.utf8.count + of(attribute.value) }
        return size
    }

    /// A value: a string's UTF-8 length, a byte string's length, 0 for a scalar (inside the attribute's overhead),
    /// and for an array or key-value list its elements with `nestedValueOverhead` each (keys counted too).
    public static func of(_ value: AnyValue) -> Int {
        switch value {
        case .empty, .bool, .int, .double: return 0
        case .string(let s): return s.utf8.count
        case .bytes(let b): return b.count
        case .array(let values):
            var size = 0
            for v in values { size += nestedValueOverhead + of(v) }
            return size
        case .keyValueList(let kvs):
            var size = 0
            for kv in kvs { size += nestedValueOverhead + kv.key.utf8.count + of(kv.value) }
            return size
        }
    }

    static func of(_ resource: Resource) -> Int { groupOverhead + of(resource.attributes) }

    static func of(_ scope: InstrumentationScope) -> Int {
        groupOverhead + scope.name.utf8.count + scope.version.utf8.count + of(scope.attributes)
    }

    static func of(_ exemplars: [Exemplar]) -> Int {
        var size = 0
        for e in exemplars { size += pointOverhead + of(e.filteredAttributes) }
        return size
    }

    static func of(_ metric: Metric) -> Int {
        var size = groupOverhead + metric.name.utf8.count + metric.description.utf8.count + metric.unit.utf8.count
        size += of(metric.metadata)
        switch metric.data {
        case .empty: break
        case .gauge(let points): size += of(points)
        case .sum(let sum): size += of(sum.dataPoints)
        case .histogram(let h):
            for p in h.dataPoints {
                size += pointOverhead + of(p.attributes) + of(p.exemplars)
                size += 8 * (p.bucketCounts.count + p.explicitBounds.count)
            }
        case .exponentialHistogram(let h):
            for p in h.dataPoints {
                size += pointOverhead + of(p.attributes) + of(p.exemplars)
                size += 8 * (p.positive.bucketCounts.count + p.negative.bucketCounts.count)
            }
        case .summary(let points):
            for p in points { size += pointOverhead + of(p.attributes) + 16 * p.quantileValues.count }
        }
        return size
    }

    static func of(_ points: [NumberDataPoint]) -> Int {
        var size = 0
        for p in points { size += pointOverhead + of(p.attributes) + of(p.exemplars) }
        return size
    }

    static func of(_ record: LogRecord) -> Int {
        pointOverhead + record.severityText.utf8.count + record.eventName.utf8.count + of(record.body)
            + of(record.attributes)
    }
}

extension Traces {
    /// The bytes these traces hold: their wire length, or `Footprint`'s estimate of the model.
    public var estimatedBytes: Int {
        if let wire { return wire.byteCount }
        var size = 0
        for rs in resourceSpans {
            size += Footprint.of(rs.resource)
            for ss in rs.scopeSpans {
                size += Footprint.of(ss.scope)
                for span in ss.spans { size += Footprint.of(span) }
            }
        }
        return size
    }
}

extension Metrics {
    /// `Footprint`'s estimate of the bytes these metrics hold.
    public var estimatedBytes: Int {
        var size = 0
        for rm in resourceMetrics {
            size += Footprint.of(rm.resource)
            for sm in rm.scopeMetrics {
                size += Footprint.of(sm.scope)
                for m in sm.metrics { size += Footprint.of(m) }
            }
        }
        return size
    }
}

extension Logs {
    /// `Footprint`'s estimate of the bytes these logs hold.
    public var estimatedBytes: Int {
        var size = 0
        for rl in resourceLogs {
            size += Footprint.of(rl.resource)
            for sl in rl.scopeLogs {
                size += Footprint.of(sl.scope)
                for r in sl.logRecords { size += Footprint.of(r) }
            }
        }
        return size
    }
}
