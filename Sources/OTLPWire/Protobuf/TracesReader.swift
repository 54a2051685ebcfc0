internal import COTLPProto
internal import GatewayCore

enum TracesReader {
    static func read(_ request: Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest)
        throws(OTLPDecodingError) -> Traces
    {
        Traces(
            resourceSpans: try PB.array(request.n_resource_spans, request.resource_spans) {
                (rs) throws(OTLPDecodingError) -> ResourceSpans in
                ResourceSpans(
                    resource: try PB.resource(rs.resource),
                    scopeSpans: try PB.array(rs.n_scope_spans, rs.scope_spans) {
                        (ss) throws(OTLPDecodingError) -> ScopeSpans in
                        ScopeSpans(
                            scope: try PB.scope(ss.scope),
                            spans: try PB.array(ss.n_spans, ss.spans, span),
                            schemaURL: PB.string(ss.schema_url)
                        )
                    },
                    schemaURL: PB.string(rs.schema_url)
                )
            })
    }

    static func span(_ s: Opentelemetry__Proto__Trace__V1__Span) throws(OTLPDecodingError) -> Span {
        let name = PB.string(s.name)
        return Span(
            traceID: try PB.traceID(s.trace_id, "span \"\(name)\""),
            spanID: try PB.spanID(s.span_id, "span \"\(name)\""),
            traceState: PB.string(s.trace_state),
            parentSpanID: try PB.spanID(s.parent_span_id, "span \"\(name)\" parent"),
            flags: s.flags,
            name: name,
            kind: SpanKind(rawValue: Int32(bitPattern: UInt32(truncatingIfNeeded: s.kind.rawValue))),
            startTimeUnixNano: s.start_time_unix_nano,
            endTimeUnixNano: s.end_time_unix_nano,
            attributes: try PB.attributes(s.n_attributes, s.attributes),
            droppedAttributesCount: s.dropped_attributes_count,
            events: try PB.array(s.n_events, s.events) { (e) throws(OTLPDecodingError) -> SpanEvent in
                SpanEvent(
                    timeUnixNano: e.time_unix_nano,
                    name: PB.string(e.name),
                    attributes: try PB.attributes(e.n_attributes, e.attributes),
                    droppedAttributesCount: e.dropped_attributes_count
                )
            },
            droppedEventsCount: s.dropped_events_count,
            links: try PB.array(s.n_links, s.links) { (l) throws(OTLPDecodingError) -> SpanLink in
                SpanLink(
                    traceID: try PB.traceID(l.trace_id, "span \"\(name)\" link"),
                    spanID: try PB.spanID(l.span_id, "span \"\(name)\" link"),
                    traceState: PB.string(l.trace_state),
                    attributes: try PB.attributes(l.n_attributes, l.attributes),
                    droppedAttributesCount: l.dropped_attributes_count,
                    flags: l.flags
                )
            },
            droppedLinksCount: s.dropped_links_count,
            status: s.status.map {
                SpanStatus(
                    code: SpanStatus.Code(
                        rawValue: Int32(bitPattern: UInt32(truncatingIfNeeded: $0.pointee.code.rawValue))),
                    message: PB.string($0.pointee.message))
            } ?? SpanStatus()
        )
    }
}
