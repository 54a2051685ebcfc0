import GatewayCore

/// The spans of one resource and scope within a stored trace.
struct StoredGroup {
    var resource: Resource
    var resourceSchemaURL: String
    var scope: InstrumentationScope
    var scopeSchemaURL: String
    var spans: [Span] = []

    func holds(_ rs: ResourceSpans, _ ss: ScopeSpans) -> Bool {
        scopeSchemaURL == ss.schemaURL && resourceSchemaURL == rs.schemaURL && scope == ss.scope
            && resource == rs.resource
    }

    var serviceName: String {
        resource.attributes["service.name"]?.displayString ?? ""
    }
}

/// One trace in the store, with the figures search needs kept up to date as spans arrive.
struct StoredTrace {
    /// Position of the trace's first arrival, the order of eviction and the tie-break of "newest first".
    let arrival: UInt64
    var groups: [StoredGroup] = []
    /// Spans of forwarded traces not decoded yet: `ResourceSpans` entries, a valid request (see `materialize`).
    var undecoded: [UInt8] = []
    var bytes = 0
    var spanCount = 0
    var startTimeUnixNano = UInt64.max
    var endTimeUnixNano: UInt64 = 0
    /// (group, span) of the earliest-starting span without a parent.
    private var root: (group: Int, span: Int)?
    /// (group, span) of the earliest-starting span.
    private var earliest: (group: Int, span: Int)?

    init(arrival: UInt64) { self.arrival = arrival }

    /// The index of the group for `rs`/`ss`, created if new. Searches newest group first: a batch usually
    /// continues the group the last one used.
    mutating func groupIndex(_ rs: ResourceSpans, _ ss: ScopeSpans) -> Int {
        if let index = groups.lastIndex(where: { $0.holds(rs, ss) }) { return index }
        groups.append(
            StoredGroup(
                resource: rs.resource, resourceSchemaURL: rs.schemaURL, scope: ss.scope, scopeSchemaURL: ss.schemaURL))
        return groups.count - 1
    }

    mutating func append(_ span: Span, group: Int, size: Int) {
        bytes += size
        spanCount += 1
        appendDecoded(span, group: group)
    }

    /// The trace with its undecoded bytes decoded into its groups (a copy; the stored trace keeps its bytes). When
    /// the bytes cannot be decoded (no memory for it), those spans are left out of the copy.
    func decoded(_ codec: WireTracesCodec?) -> StoredTrace {
        guard !undecoded.isEmpty, let codec else { return self }
        var trace = self
        trace.undecoded = []
        for rs in codec.decode(undecoded) ?? [] {
            for ss in rs.scopeSpans {
                let group = trace.groupIndex(rs, ss)
                for span in ss.spans { trace.appendDecoded(span, group: group) }
            }
        }
        return trace
    }

    /// Counts a span kept as bytes; `appendDecoded` adds it to its group when the bytes are decoded.
    mutating func appendUndecoded(size: Int, start: UInt64, end: UInt64) {
        bytes += size
        spanCount += 1
        startTimeUnixNano = Swift.min(startTimeUnixNano, start)
        endTimeUnixNano = Swift.max(endTimeUnixNano, end)
    }

    /// Adds a span already counted (by `append` or `appendUndecoded`) to its group.
    mutating func appendDecoded(_ span: Span, group: Int) {
        let ref = (group: group, span: groups[group].spans.count)
        groups[group].spans.append(span)
        startTimeUnixNano = Swift.min(startTimeUnixNano, span.startTimeUnixNano)
        endTimeUnixNano = Swift.max(endTimeUnixNano, span.endTimeUnixNano)
        // Strictly earlier replaces, so among equal starts the first to arrive stays.
        if earliest.map({ span.startTimeUnixNano < self.span($0).startTimeUnixNano }) ?? true { earliest = ref }
        if !span.parentSpanID.isValid, root.map({ span.startTimeUnixNano < self.span($0).startTimeUnixNano }) ?? true {
            root = ref
        }
    }

    private func span(_ ref: (group: Int, span: Int)) -> Span { groups[ref.group].spans[ref.span] }

    var durationNanos: UInt64 { endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0 }

    func summary(id: TraceID) -> TraceSummary {
        let ref = root ?? earliest
        return TraceSummary(
            traceID: id,
            rootServiceName: ref.map { groups[$0.group].serviceName } ?? "",
            rootSpanName: ref.map { span($0).name } ?? "",
            startTimeUnixNano: spanCount == 0 ? 0 : startTimeUnixNano,
            duration: .nanoseconds(Int64(clamping: durationNanos)),
            spanCount: spanCount
        )
    }

    /// The trace as OTLP: groups of one resource merged into one `ResourceSpans` (in order of first arrival),
    /// each scope's spans sorted by start time, ties in arrival order.
    func traces() -> Traces {
        var result: [ResourceSpans] = []
        for group in groups {
            let sorted = group.spans.enumerated().sorted { a, b in
                a.element.startTimeUnixNano != b.element.startTimeUnixNano
                    ? a.element.startTimeUnixNano < b.element.startTimeUnixNano : a.offset < b.offset
            }.map(\.element)
            let scopeSpans = ScopeSpans(scope: group.scope, spans: sorted, schemaURL: group.scopeSchemaURL)
            if let index = result.firstIndex(where: {
                $0.resource == group.resource && $0.schemaURL == group.resourceSchemaURL
            }) {
                result[index].scopeSpans.append(scopeSpans)
            } else {
                result.append(
                    ResourceSpans(
                        resource: group.resource, scopeSpans: [scopeSpans], schemaURL: group.resourceSchemaURL))
            }
        }
        return Traces(resourceSpans: result)
    }

    func matches(_ query: TraceQuery) -> Bool {
        if let start = query.start, startTimeUnixNano < Self.nanos(seconds: start) { return false }
        // Started at or before the last nanosecond of second `end`.
        if let end = query.end, end < .max, startTimeUnixNano >= Self.nanos(seconds: end + 1) { return false }
        if let min = query.minDuration, Duration.nanoseconds(Int64(clamping: durationNanos)) < min { return false }
        if let max = query.maxDuration, Duration.nanoseconds(Int64(clamping: durationNanos)) > max { return false }
        if let service = query.service,
            !groups.contains(where: { $0.resource.attributes["service.name"]?.displayString == service })
        {
            return false
        }
        if query.spanName != nil || !query.tags.isEmpty {
            return groups.contains { group in group.spans.contains { Self.span($0, in: group, matches: query) } }
        }
        return true
    }

    private static func span(_ span: Span, in group: StoredGroup, matches query: TraceQuery) -> Bool {
        if let name = query.spanName, span.name != name { return false }
        for (key, value) in query.tags {
            if span.attributes[key]?.displayString != value, group.resource.attributes[key]?.displayString != value {
                return false
            }
        }
        return true
    }

    /// Seconds as nanoseconds, saturating.
    private static func nanos(seconds: UInt64) -> UInt64 {
        let (value, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : value
    }
}
