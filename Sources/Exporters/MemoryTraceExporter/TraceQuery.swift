public import GatewayCore

/// What `RecentTraceStore.search` looks for; every set field must match.
public struct TraceQuery: Sendable, Hashable {
    /// Results returned when `limit` is not positive.
    public static let defaultLimit = 20
    /// The most results one search returns; larger limits are clamped to it.
    public static let maxLimit = 1000

    /// Matches when any span of the trace comes from a resource whose `service.name` is this.
    public var service: String?
    /// Matches when a span has this name (and, with `tags`, the same span matches all tags).
    public var spanName: String?
    /// Matches traces at least this long (max end - min start, inclusive).
    public var minDuration: Duration?
    /// Matches traces at most this long (inclusive).
    public var maxDuration: Duration?
    /// Unix seconds: matches traces that started at or after this second.
    public var start: UInt64?
    /// Unix seconds: matches traces that started at or before this second (up to its last nanosecond).
    public var end: UInt64?
    /// Matches when one span has, for every entry, a span attribute or an attribute of its resource with that key
    /// whose value in string form (`AnyValue.displayString`) equals the entry's value.
    public var tags: [String: String]
    /// The most results to return: non-positive means `defaultLimit`, more than `maxLimit` means `maxLimit`.
    public var limit: Int
    /// A TraceQL query (`q`) every result must match too; nil for none.
    public var traceQL: TraceQL?
    /// Spans per span set returned with a single-spanset TraceQL query (`spss`), default 3.
    public var spansPerSpanSet = 3

    public init(
        service: String? = nil,
        spanName: String? = nil,
        minDuration: Duration? = nil,
        maxDuration: Duration? = nil,
        start: UInt64? = nil,
        end: UInt64? = nil,
        tags: [String: String] = [:],
        limit: Int = TraceQuery.defaultLimit
    ) {
        self.service = service
        self.spanName = spanName
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.start = start
        self.end = end
        self.tags = tags
        self.limit = limit
    }

    /// `limit` clamped to 1...maxLimit, non-positive meaning the default.
    public var effectiveLimit: Int {
        limit <= 0 ? Self.defaultLimit : Swift.min(limit, Self.maxLimit)
    }
}

/// One search result, with the fields Tempo's search API returns.
public struct TraceSummary: Sendable, Hashable {
    public var traceID: TraceID
    /// `service.name` of the root span's resource ("" when it has none).
    public var rootServiceName: String
    /// The name of the root span: the earliest-starting span with no parent, or the earliest span of all when no
    /// parentless span has arrived (yet).
    public var rootSpanName: String
    /// The earliest span start.
    public var startTimeUnixNano: UInt64
    /// Latest span end minus earliest span start (zero if the ends are all earlier).
    public var duration: Duration
    public var spanCount: Int
    /// With a single-spanset TraceQL query: the first matching spans (at most `spss`) and how many matched.
    public var matchedSpans: [MatchedSpan] = []
    public var matchedCount = 0

    public init(
        traceID: TraceID, rootServiceName: String, rootSpanName: String, startTimeUnixNano: UInt64, duration: Duration,
        spanCount: Int
    ) {
        self.traceID = traceID
        self.rootServiceName = rootServiceName
        self.rootSpanName = rootSpanName
        self.startTimeUnixNano = startTimeUnixNano
        self.duration = duration
        self.spanCount = spanCount
    }
}

/// A span that matched a search's TraceQL spanset, as Tempo lists it in `spanSet.spans`.
public struct MatchedSpan: Sendable, Hashable {
    public var spanID: SpanID
    public var name: String
    public var startTimeUnixNano: UInt64
    public var durationNanos: UInt64
}
