import GatewayCore

/// A trace id whose hex is 16 zeros then `n` in 16 hex digits.
func traceID(_ n: UInt64) -> TraceID { TraceID(high: 0, low: n) }

func makeSpan(
    trace: UInt64,
    id: UInt64,
    parent: UInt64 = 0,
    name: String = "op",
    start: UInt64 = 0,
    end: UInt64 = 0,
    attributes: Attributes = Attributes()
) -> Span {
    Span(
        traceID: traceID(trace),
        spanID: SpanID(value: id),
        parentSpanID: SpanID(value: parent),
        name: name,
        startTimeUnixNano: start,
        endTimeUnixNano: end,
        attributes: attributes
    )
}

/// A span whose `RecentTraceStore.estimatedSize` is exactly `size` (at least `spanOverhead`).
func spanOfSize(_ size: Int, trace: UInt64, id: UInt64) -> Span {
    makeSpan(trace: trace, id: id, name: String(repeating: "x", count: size - 192))
}

func batch(service: String, scope: String = "lib", _ spans: [Span]) -> Traces {
    Traces(resourceSpans: [
        ResourceSpans(
            resource: Resource(attributes: ["service.name": .string(service)]),
            scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: scope), spans: spans)]
        )
    ])
}

let second: UInt64 = 1_000_000_000
let millisecond: UInt64 = 1_000_000
