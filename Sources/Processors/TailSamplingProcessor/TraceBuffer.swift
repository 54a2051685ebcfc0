internal import GatewayCore

/// What a policy sees of one trace: its spans with their resource and scope, and the figures policies read.
struct BufferedTrace {
    var groups:
        [(
            resource: Resource, resourceSchemaURL: String, scope: InstrumentationScope, scopeSchemaURL: String,
            spans: [Span]
        )] = []
    var spanCount = 0
    var earliestStart = UInt64.max
    var latestEnd: UInt64 = 0
    /// When its first span arrived (the clock's instant, in nanoseconds since the processor started).
    var arrivedNanos: UInt64
    /// The request metadata its first span came with (`include_metadata`): a trace belongs to one tenant.
    var metadata: ClientMetadata

    init(arrivedNanos: UInt64, metadata: ClientMetadata = .empty) {
        self.arrivedNanos = arrivedNanos
        self.metadata = metadata
    }

    mutating func add(_ span: Span, _ rs: ResourceSpans, _ ss: ScopeSpans) {
        if let index = groups.lastIndex(where: {
            $0.scope == ss.scope && $0.resource == rs.resource && $0.scopeSchemaURL == ss.schemaURL
                && $0.resourceSchemaURL == rs.schemaURL
        }) {
            groups[index].spans.append(span)
        } else {
            groups.append((rs.resource, rs.schemaURL, ss.scope, ss.schemaURL, [span]))
        }
        spanCount += 1
        earliestStart = min(earliestStart, span.startTimeUnixNano)
        latestEnd = max(latestEnd, span.endTimeUnixNano)
    }

    var durationNanos: UInt64 { latestEnd > earliestStart ? latestEnd - earliestStart : 0 }

    /// The spans as one batch, grouped by resource and scope, with the trace's metadata.
    var traces: Traces {
        var traces = Traces(
            resourceSpans: groups.map {
                ResourceSpans(
                    resource: $0.resource,
                    scopeSpans: [ScopeSpans(scope: $0.scope, spans: $0.spans, schemaURL: $0.scopeSchemaURL)],
                    schemaURL: $0.resourceSchemaURL)
            })
        traces.metadata = metadata
        return traces
    }

    func anySpan(_ body: (Span, Resource) -> Bool) -> Bool {
        groups.contains { group in group.spans.contains { body($0, group.resource) } }
    }
}

/// A bounded set of trace ids, oldest forgotten first: the decision caches for spans that arrive late.
struct IDCache {
    let capacity: Int
    private var members: Set<TraceID> = []
    private var order: [TraceID] = []
    private var head = 0

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ id: TraceID) -> Bool { members.contains(id) }

    mutating func insert(_ id: TraceID) {
        guard capacity > 0, members.insert(id).inserted else { return }
        order.append(id)
        if members.count > capacity {
            members.remove(order[head])
            head += 1
            if head > 4096, head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
    }
}
