public import GatewayCore

extension RecentTraceStore {
    /// Fixed cost charged per span: roughly the inline size of `Span` (ids, times, counters and the headers of
    /// its strings and arrays) rounded up, plus the store's bookkeeping for it.
    public static let spanOverhead = 192
    /// Fixed cost charged per attribute (key and value headers), on spans, events and links.
    public static let attributeOverhead = 48
    /// Fixed cost charged per span event and per span link, besides their strings and attributes.
    public static let eventOrLinkOverhead = 64
    /// Fixed cost charged per element of an array or key-value list attribute value.
    public static let nestedValueOverhead = 16

    /// The bytes a span is charged against `maxBytes`: a deterministic estimate, so tests and capacity planning
    /// can rely on it, not a measurement of the heap.
    ///
    /// `spanOverhead` + UTF-8 lengths of the name, trace state and status message + for each attribute
    /// `attributeOverhead` + key length + value size + for each event or link `eventOrLinkOverhead` + its name or
    /// trace state length + its attributes. A value's size is its UTF-8 length for a string, its length for bytes,
    /// 0 for a scalar (inside the attribute overhead), and for an array or key-value list the sum of its elements
    /// with `nestedValueOverhead` each (a key-value list's keys counted too).
    ///
    /// Resource and scope are not charged: spans of one batch share them copy-on-write, so charging them per trace
    /// would count the same storage many times.
    public static func estimatedSize(of span: Span) -> Int {
        var size = spanOverhead + span.name.utf8.count + span.traceState.utf8.count + span.status.message.utf8.count
        size += estimatedSize(of: span.attributes)
        for event in span.events {
            size += eventOrLinkOverhead + event.name.utf8.count + estimatedSize(of: event.attributes)
        }
        for link in span.links {
            size += eventOrLinkOverhead + link.traceState.utf8.count + estimatedSize(of: link.attributes)
        }
        return size
    }

    static func estimatedSize(of attributes: Attributes) -> Int {
        var size = 0
        for attribute in attributes {
            size += attributeOverhead + attribute.key.utf8.count + estimatedSize(of: attribute.value)
        }
        return size
    }

    static func estimatedSize(of value: AnyValue) -> Int {
        switch value {
        case .empty, .bool, .int, .double: return 0
        case .string(let s): return s.utf8.count
        case .bytes(let b): return b.count
        case .array(let values):
            var size = 0
            for v in values { size += nestedValueOverhead + estimatedSize(of: v) }
            return size
        case .keyValueList(let kvs):
            var size = 0
            for kv in kvs { size += nestedValueOverhead + kv.key.utf8.count + estimatedSize(of: kv.value) }
            return size
        }
    }
}
