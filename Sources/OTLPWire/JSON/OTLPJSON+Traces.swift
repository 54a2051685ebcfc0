import GatewayCore

extension OTLPJSON {
    static let spanKindNames: [StaticString] = [
        "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
        "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
    ]
    static let statusCodeNames: [StaticString] = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]

    // MARK: Reading

    static func readTraces(_ r: inout JSONReader) throws(JSONFailure) -> Traces {
        var traces = Traces()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("resourceSpans", "resource_spans") {
                traces.resourceSpans = try r.array(readResourceSpans)
            } else {
                try r.skipUnknownValue()
            }
        }
        return traces
    }

    static func readResourceSpans(_ r: inout JSONReader) throws(JSONFailure) -> ResourceSpans {
        var resourceSpans = ResourceSpans()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("scopeSpans", "scope_spans") {
                resourceSpans.scopeSpans = try r.array(readScopeSpans)
            } else if r.key("resource") {
                resourceSpans.resource = try r.nested(readResource)
            } else if r.key("schemaUrl", "schema_url") {
                resourceSpans.schemaURL = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return resourceSpans
    }

    static func readScopeSpans(_ r: inout JSONReader) throws(JSONFailure) -> ScopeSpans {
        var scopeSpans = ScopeSpans()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("spans") {
                scopeSpans.spans = try r.array(readSpan)
            } else if r.key("scope") {
                scopeSpans.scope = try r.nested(readScope)
            } else if r.key("schemaUrl", "schema_url") {
                scopeSpans.schemaURL = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return scopeSpans
    }

    static func readSpan(_ r: inout JSONReader) throws(JSONFailure) -> Span {
        var span = Span(traceID: .invalid, spanID: .invalid, name: "", kind: .unspecified)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("traceId", "trace_id") {
                span.traceID = try r.readTraceID()
            } else if r.key("spanId", "span_id") {
                span.spanID = try r.readSpanID()
            } else if r.key("parentSpanId", "parent_span_id") {
                span.parentSpanID = try r.readSpanID()
            } else if r.key("name") {
                span.name = try r.readString()
            } else if r.key("kind") {
                span.kind = SpanKind(rawValue: try r.readEnum(spanKindNames))
            } else if r.key("startTimeUnixNano", "start_time_unix_nano") {
                span.startTimeUnixNano = try r.readUInt64()
            } else if r.key("endTimeUnixNano", "end_time_unix_nano") {
                span.endTimeUnixNano = try r.readUInt64()
            } else if r.key("attributes") {
                span.attributes = try readAttributes(&r)
            } else if r.key("status") {
                span.status = try r.nested(readStatus)
            } else if r.key("traceState", "trace_state") {
                span.traceState = try r.readString()
            } else if r.key("flags") {
                span.flags = try r.readUInt32()
            } else if r.key("events") {
                span.events = try r.array(readEvent)
            } else if r.key("links") {
                span.links = try r.array(readLink)
            } else if r.key("droppedAttributesCount", "dropped_attributes_count") {
                span.droppedAttributesCount = try r.readUInt32()
            } else if r.key("droppedEventsCount", "dropped_events_count") {
                span.droppedEventsCount = try r.readUInt32()
            } else if r.key("droppedLinksCount", "dropped_links_count") {
                span.droppedLinksCount = try r.readUInt32()
            } else {
                try r.skipUnknownValue()
            }
        }
        return span
    }

    static func readStatus(_ r: inout JSONReader) throws(JSONFailure) -> SpanStatus {
        var status = SpanStatus()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("code") {
                status.code = SpanStatus.Code(rawValue: try r.readEnum(statusCodeNames))
            } else if r.key("message") {
                status.message = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return status
    }

    static func readEvent(_ r: inout JSONReader) throws(JSONFailure) -> SpanEvent {
        var event = SpanEvent(timeUnixNano: 0, name: "")
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                event.timeUnixNano = try r.readUInt64()
            } else if r.key("name") {
                event.name = try r.readString()
            } else if r.key("attributes") {
                event.attributes = try readAttributes(&r)
            } else if r.key("droppedAttributesCount", "dropped_attributes_count") {
                event.droppedAttributesCount = try r.readUInt32()
            } else {
                try r.skipUnknownValue()
            }
        }
        return event
    }

    static func readLink(_ r: inout JSONReader) throws(JSONFailure) -> SpanLink {
        var link = SpanLink(traceID: .invalid, spanID: .invalid)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("traceId", "trace_id") {
                link.traceID = try r.readTraceID()
            } else if r.key("spanId", "span_id") {
                link.spanID = try r.readSpanID()
            } else if r.key("traceState", "trace_state") {
                link.traceState = try r.readString()
            } else if r.key("attributes") {
                link.attributes = try readAttributes(&r)
            } else if r.key("droppedAttributesCount", "dropped_attributes_count") {
                link.droppedAttributesCount = try r.readUInt32()
            } else if r.key("flags") {
                link.flags = try r.readUInt32()
            } else {
                try r.skipUnknownValue()
            }
        }
        return link
    }

    // MARK: Writing

    static func writeTraces(_ w: inout JSONWriter, _ traces: Traces) {
        w.beginObject()
        if !traces.resourceSpans.isEmpty {
            w.key("resourceSpans")
            w.beginArray()
            for resourceSpans in traces.resourceSpans {
                w.beginObject()
                writeResource(&w, resourceSpans.resource)
                w.key("scopeSpans")
                w.beginArray()
                for scopeSpans in resourceSpans.scopeSpans {
                    w.beginObject()
                    writeScope(&w, scopeSpans.scope)
                    w.key("spans")
                    w.beginArray()
                    for span in scopeSpans.spans { writeSpan(&w, span) }
                    w.endArray()
                    writeString(&w, "schemaUrl", scopeSpans.schemaURL)
                    w.endObject()
                }
                w.endArray()
                writeString(&w, "schemaUrl", resourceSpans.schemaURL)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }

    static func writeSpan(_ w: inout JSONWriter, _ span: Span) {
        w.beginObject()
        // Ids, name, kind and times are always written: the OTLP examples do, and people read these files.
        w.key("traceId")
        w.hex(high: span.traceID.high, low: span.traceID.low)
        w.key("spanId")
        w.hex(span.spanID.value)
        writeString(&w, "traceState", span.traceState)
        writeSpanID(&w, "parentSpanId", span.parentSpanID)
        writeUInt32(&w, "flags", span.flags)
        w.key("name")
        w.string(span.name)
        w.key("kind")
        w.number(Int64(span.kind.rawValue))
        w.key("startTimeUnixNano")
        w.quoted(span.startTimeUnixNano)
        w.key("endTimeUnixNano")
        w.quoted(span.endTimeUnixNano)
        writeAttributes(&w, "attributes", span.attributes)
        writeUInt32(&w, "droppedAttributesCount", span.droppedAttributesCount)
        if !span.events.isEmpty {
            w.key("events")
            w.beginArray()
            for event in span.events {
                w.beginObject()
                writeUInt64(&w, "timeUnixNano", event.timeUnixNano)
                writeString(&w, "name", event.name)
                writeAttributes(&w, "attributes", event.attributes)
                writeUInt32(&w, "droppedAttributesCount", event.droppedAttributesCount)
                w.endObject()
            }
            w.endArray()
        }
        writeUInt32(&w, "droppedEventsCount", span.droppedEventsCount)
        if !span.links.isEmpty {
            w.key("links")
            w.beginArray()
            for link in span.links {
                w.beginObject()
                writeTraceID(&w, "traceId", link.traceID)
                writeSpanID(&w, "spanId", link.spanID)
                writeString(&w, "traceState", link.traceState)
                writeAttributes(&w, "attributes", link.attributes)
                writeUInt32(&w, "droppedAttributesCount", link.droppedAttributesCount)
                writeUInt32(&w, "flags", link.flags)
                w.endObject()
            }
            w.endArray()
        }
        writeUInt32(&w, "droppedLinksCount", span.droppedLinksCount)
        if span.status != SpanStatus() {
            w.key("status")
            w.beginObject()
            writeInt32(&w, "code", span.status.code.rawValue)
            writeString(&w, "message", span.status.message)
            w.endObject()
        }
        w.endObject()
    }
}
