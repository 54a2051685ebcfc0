public import GatewayCore
internal import OTLPWire
internal import Synchronization

/// The most recent traces, held in memory up to a byte budget, for looking traces up before a tracing backend
/// (Tempo, Jaeger) is running.
///
/// - Eviction: when a span does not fit, whole traces are evicted oldest first, oldest by the *first arrival* of
///   any of their spans. Spans arriving later for a stored trace are appended to it and do not make it newer:
///   refreshing would let one long-running trace pin itself forever, and first arrival is what a FIFO of trace
///   ids can keep in O(1). The trace a span is being added to is never evicted to make room for that span; the
///   next-oldest goes instead. Spans of a trace that was evicted start a new trace.
/// - A trace never grows past `maxBytes`: a span that would take it past is dropped and counted, so the
///   trace is kept with the spans that arrived first. Spans with an invalid (all-zero) trace id are dropped and
///   counted too.
/// - Bytes are `estimatedSize(of:)` summed over the stored spans: deterministic, and an estimate of the heap,
///   not a measurement (the index and the resource/scope copies are not charged). Forwarded traces (wire form) are
///   kept as their bytes, grouped per trace, and decoded by each query that reads them (not kept decoded); such a
///   span is charged `Footprint.spanOverhead` + its encoded length + `Footprint.attributeOverhead` per attribute.
///
/// Adding a span is O(1) amortized (a dictionary lookup and a ring-buffer FIFO of trace ids), plus a scan of the
/// trace's resource/scope groups once per run of consecutive spans of one trace. Lookup by id is O(1) plus
/// sorting that trace's spans; `search` scans every trace.
public final class RecentTraceStore: Sendable {
    /// 64 MiB.
    public static let defaultMaxBytes = 64 * 1024 * 1024

    /// What one `add` did.
    public struct AddResult: Sendable, Hashable {
        /// Spans stored.
        public var storedSpans = 0
        /// Spans dropped: their trace would have exceeded `maxBytes`, or their trace id was invalid.
        public var droppedSpans = 0
        /// Whole traces evicted to make room.
        public var evictedTraces = 0

        public init(storedSpans: Int = 0, droppedSpans: Int = 0, evictedTraces: Int = 0) {
            self.storedSpans = storedSpans
            self.droppedSpans = droppedSpans
            self.evictedTraces = evictedTraces
        }
    }

    struct State {
        var traces: [TraceID: StoredTrace] = [:]
        var order = TraceIDQueue()
        var nextArrival: UInt64 = 0
        var bytes = 0
        var spans = 0
        var evictedTraces = 0
        var droppedSpans = 0
        /// Decodes the bytes of forwarded traces (taken from the first wire-form batch).
        var codec: WireTracesCodec?
        /// Span payload ranges of the current run of one trace's spans (reused).
        var run: [Range<Int>] = []
    }

    /// The byte budget for all stored spans.
    public let maxBytes: Int
    let state = Mutex(State())

    public init(maxBytes: Int = RecentTraceStore.defaultMaxBytes) {
        precondition(maxBytes > 0, "RecentTraceStore: maxBytes must be positive, got \(maxBytes)")
        self.maxBytes = maxBytes
    }

    /// Stores the spans of `traces`, evicting the oldest traces as needed.
    @discardableResult
    public func add(_ traces: Traces) -> AddResult {
        let maxBytes = self.maxBytes
        return state.withLock { state in
            var result = AddResult()
            if let wire = traces.wire {
                state.add(wire, maxBytes: maxBytes, result: &result)
                state.evictedTraces += result.evictedTraces
                state.droppedSpans += result.droppedSpans
                return result
            }
            for rs in traces.resourceSpans {
                for ss in rs.scopeSpans {
                    var index = ss.spans.startIndex
                    while index < ss.spans.endIndex {
                        // A run of consecutive spans of one trace shares the group lookup.
                        let id = ss.spans[index].traceID
                        var end = index + 1
                        while end < ss.spans.endIndex, ss.spans[end].traceID == id { end += 1 }
                        state.add(ss.spans[index..<end], id: id, rs, ss, maxBytes: maxBytes, result: &result)
                        index = end
                    }
                }
            }
            state.evictedTraces += result.evictedTraces
            state.droppedSpans += result.droppedSpans
            return result
        }
    }

    /// The trace with `id`: its spans grouped by resource and scope in order of arrival, each scope's spans
    /// sorted by start time; nil if it is not (or no longer) stored.
    public func trace(id: TraceID) -> Traces? {
        let (trace, codec) = state.withLock { ($0.traces[id], $0.codec) }
        return trace?.decoded(codec).traces()
    }

    /// Summaries of the traces matching `query`, newest first (latest start; equal starts, latest arrival),
    /// at most `query.effectiveLimit`.
    public func search(_ query: TraceQuery) -> [TraceSummary] {
        let limit = query.effectiveLimit
        // The parser has checked that the patterns compile.
        let matcher = query.traceQL.flatMap { try? TraceQLMatcher($0) }
        if query.traceQL != nil, matcher == nil { return [] }
        let spss = Swift.max(1, query.spansPerSpanSet)
        var found: [(summary: TraceSummary, arrival: UInt64)] = []
        forEachTrace { id, trace in
            guard trace.matches(query) else { return true }
            var summary = trace.summary(id: id)
            if let matcher {
                let facts = TraceQLMatcher.TraceFacts(
                    durationNanos: trace.durationNanos, rootName: summary.rootSpanName,
                    rootServiceName: summary.rootServiceName)
                var matched: [(group: Int, span: Int)] = []
                var count = 0
                guard
                    matcher.matches(trace, facts: facts, maxMatched: spss, matched: &matched, matchedCount: &count)
                else { return true }
                summary.matchedCount = count
                summary.matchedSpans = matched.map { ref in
                    let span = trace.groups[ref.group].spans[ref.span]
                    return MatchedSpan(
                        spanID: span.spanID, name: span.name, startTimeUnixNano: span.startTimeUnixNano,
                        durationNanos: span.endTimeUnixNano > span.startTimeUnixNano
                            ? span.endTimeUnixNano - span.startTimeUnixNano : 0)
                }
            }
            found.append((summary, trace.arrival))
            return true
        }
        found.sort { a, b in
            a.summary.startTimeUnixNano != b.summary.startTimeUnixNano
                ? a.summary.startTimeUnixNano > b.summary.startTimeUnixNano : a.arrival > b.arrival
        }
        return found.prefix(limit).map(\.summary)
    }

    /// Traces stored.
    public var traceCount: Int { state.withLock { $0.traces.count } }
    /// Estimated bytes of the stored spans; never more than `maxBytes`.
    public var byteCount: Int { state.withLock { $0.bytes } }
    /// Spans stored.
    public var spanCount: Int { state.withLock { $0.spans } }
    /// Traces evicted since the store was created.
    public var evictedTraceCount: Int { state.withLock { $0.evictedTraces } }
    /// Spans dropped since the store was created.
    public var droppedSpanCount: Int { state.withLock { $0.droppedSpans } }

    /// Calls `body` with every stored trace until it returns false, each decoded on its own outside the lock and not
    /// kept: a query costs a decode of what it reads, memory stays bounded by the stored bytes (decoding everything
    /// and keeping it would hold the model and the bytes at once), and ingest does not wait for it. The traces are a
    /// snapshot taken under the lock (shared storage, copied only if ingest changes them meanwhile).
    func forEachTrace(_ body: (TraceID, StoredTrace) -> Bool) {
        let (traces, codec) = state.withLock { ($0.traces, $0.codec) }
        for (id, trace) in traces {
            guard body(id, trace.decoded(codec)) else { return }
        }
    }

    /// Stored trace ids, oldest first (for tests).
    var traceIDsOldestFirst: [TraceID] { state.withLock { $0.order.elements } }
}

extension RecentTraceStore.State {
    /// Stores forwarded traces as their bytes, per trace: runs of consecutive spans of one trace in one scope are
    /// copied as one `ResourceSpans` entry into the trace's undecoded bytes.
    fileprivate mutating func add(_ wire: WireTraces, maxBytes: Int, result: inout RecentTraceStore.AddResult) {
        if codec == nil { codec = wire.codec }
        var current: (id: TraceID, scope: Int)?
        // A view is valid only while its segment is being read: each run is written before its segment ends.
        var first: WireSpan?
        var visited = 0
        let complete = OTLPProtobuf.forEachWireSpan(
            wire,
            segmentEnd: {
                if let c = current, let f = first { flushRun(c.id, f) }
                first = nil
                current = nil
            }
        ) { span in
            visited += 1
            let id = span.traceIDValue
            if let c = current, c.id != id || c.scope != span.scopeOrdinal, let f = first {
                flushRun(c.id, f)
                first = nil
            }
            current = (id, span.scopeOrdinal)
            guard span.traceID.count == 16, id.isValid else {
                result.droppedSpans += 1
                return
            }
            let size =
                Footprint.spanOverhead + span.span.count + Footprint.attributeOverhead * span.attributeCount
            guard reserve(size, for: id, maxBytes: maxBytes, result: &result) else { return }
            traces[id]!.appendUndecoded(size: size, start: span.startTimeUnixNano, end: span.endTimeUnixNano)
            if first == nil { first = span }
            run.append(span.span)
        }
        // Ruled out by the receiver's validation: what could not be read is counted, not stored.
        if !complete { result.droppedSpans += max(0, wire.spanCount - visited) }
    }

    /// Writes the current run's spans into trace `id`'s undecoded bytes.
    private mutating func flushRun(_ id: TraceID, _ first: WireSpan) {
        defer { run.removeAll(keepingCapacity: true) }
        guard !run.isEmpty, traces[id] != nil else { return }
        OTLPProtobuf.appendResourceSpans(first, spans: run, to: &traces[id]!.undecoded)
    }

    fileprivate mutating func add(
        _ spans: ArraySlice<Span>,
        id: TraceID,
        _ rs: ResourceSpans,
        _ ss: ScopeSpans,
        maxBytes: Int,
        result: inout RecentTraceStore.AddResult
    ) {
        guard id.isValid else {
            result.droppedSpans += spans.count
            return
        }
        var group: Int?
        for span in spans {
            let size = RecentTraceStore.estimatedSize(of: span)
            guard reserve(size, for: id, maxBytes: maxBytes, result: &result) else { continue }
            if group == nil { group = traces[id]!.groupIndex(rs, ss) }
            traces[id]!.append(span, group: group!, size: size)
        }
    }

    /// Makes room for one span of `size` bytes of trace `id` (creating the trace) and counts it as stored, or counts
    /// it as dropped when the trace would grow past `maxBytes`. The caller then adds the span to `traces[id]`, which
    /// charges the trace itself.
    private mutating func reserve(
        _ size: Int, for id: TraceID, maxBytes: Int, result: inout RecentTraceStore.AddResult
    ) -> Bool {
        guard (traces[id]?.bytes ?? 0) + size <= maxBytes else {
            result.droppedSpans += 1
            return false
        }
        makeRoom(for: size, keeping: id, maxBytes: maxBytes, result: &result)
        if traces[id] == nil {
            traces[id] = StoredTrace(arrival: nextArrival)
            nextArrival += 1
            order.append(id)
        }
        bytes += size
        spans += 1
        result.storedSpans += 1
        return true
    }

    /// Evicts the oldest traces other than `id` until `size` more bytes fit. The caller has checked that `id`'s
    /// own bytes plus `size` fit, so evicting everything else is always enough.
    private mutating func makeRoom(
        for size: Int, keeping id: TraceID, maxBytes: Int, result: inout RecentTraceStore.AddResult
    ) {
        var keptAtFront = false
        while bytes + size > maxBytes, let oldest = order.popFirst() {
            if oldest == id {
                keptAtFront = true
                continue
            }
            let evicted = traces.removeValue(forKey: oldest)!
            bytes -= evicted.bytes
            spans -= evicted.spanCount
            result.evictedTraces += 1
        }
        if keptAtFront { order.prepend(id) }
    }
}
