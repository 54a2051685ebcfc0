public import GatewayCore

/// Encodes the model as OTLP protobuf requests, and the small responses and statuses receivers answer with.
/// Field numbers are those of proto/ (checked against the official descriptors by the conformance test).
extension OTLPProtobuf {
    public static func encode(_ traces: Traces) -> [UInt8] {
        // Forwarded traces are sent as they came in.
        if let wire = traces.wire { return wire.concatenated }
        return encode(traces.resourceSpans)
    }

    /// The model as one `ExportTraceServiceRequest`.
    public static func encode(_ resourceSpans: [ResourceSpans]) -> [UInt8] {
        var w = ProtobufWriter(capacity: 1024)
        for rs in resourceSpans {
            w.nested(1) { w in
                w.nested(1) { w in resource(&w, rs.resource) }
                for ss in rs.scopeSpans {
                    w.nested(2) { w in
                        w.nested(1) { w in scope(&w, ss.scope) }
                        for span in ss.spans { w.nested(2) { w in self.span(&w, span) } }
                        w.string(3, ss.schemaURL)
                    }
                }
                w.string(3, rs.schemaURL)
            }
        }
        return w.bytes
    }

    public static func encode(_ metrics: Metrics) -> [UInt8] {
        var w = ProtobufWriter(capacity: 1024)
        for rm in metrics.resourceMetrics {
            w.nested(1) { w in
                w.nested(1) { w in resource(&w, rm.resource) }
                for sm in rm.scopeMetrics {
                    w.nested(2) { w in
                        w.nested(1) { w in scope(&w, sm.scope) }
                        for m in sm.metrics { w.nested(2) { w in metric(&w, m) } }
                        w.string(3, sm.schemaURL)
                    }
                }
                w.string(3, rm.schemaURL)
            }
        }
        return w.bytes
    }

    public static func encode(_ logs: Logs) -> [UInt8] {
        var w = ProtobufWriter(capacity: 1024)
        for rl in logs.resourceLogs {
            w.nested(1) { w in
                w.nested(1) { w in resource(&w, rl.resource) }
                for sl in rl.scopeLogs {
                    w.nested(2) { w in
                        w.nested(1) { w in scope(&w, sl.scope) }
                        for r in sl.logRecords { w.nested(2) { w in logRecord(&w, r) } }
                        w.string(3, sl.schemaURL)
                    }
                }
                w.string(3, rl.schemaURL)
            }
        }
        return w.bytes
    }

    /// `Export*ServiceResponse`: empty on full success, else `partial_success {rejected_<items>, error_message}`.
    public static func encodeExportResponse(rejected: Int64, errorMessage: String) -> [UInt8] {
        guard rejected != 0 || !errorMessage.isEmpty else { return [] }
        var w = ProtobufWriter(capacity: 64)
        w.nested(1) { w in
            w.int64(1, rejected)
            w.string(2, errorMessage)
        }
        return w.bytes
    }

    /// `google.rpc.Status`, optionally with a `google.rpc.RetryInfo` detail (what OTLP clients read the
    /// throttling delay from).
    public static func encodeStatus(code: Int32, message: String, retryAfterSeconds: Int? = nil) -> [UInt8] {
        var w = ProtobufWriter(capacity: 64 + message.utf8.count)
        w.int32(1, code)
        w.string(2, message)
        if let retryAfterSeconds {
            w.nested(3) { w in
                w.string(1, "type.googleapis.com/google.rpc.RetryInfo")
                w.nested(2) { w in
                    w.nested(1) { w in w.int64(1, Int64(retryAfterSeconds)) }
                }
            }
        }
        return w.bytes
    }

    /// `grpc.health.v1.HealthCheckResponse{status: SERVING}`.
    public static let healthServingResponse: [UInt8] = [0x08, 0x01]

    // MARK: - Shared pieces

    static func anyValue(_ w: inout ProtobufWriter, _ v: AnyValue) {
        switch v {
        case .empty: break
        case .string(let s): w.string(1, s, always: true)
        case .bool(let b):
            w.tag(2, 0)
            w.varint(b ? 1 : 0)
        case .int(let i):
            w.tag(3, 0)
            w.varint(UInt64(bitPattern: i))
        case .double(let d): w.double(4, d, always: true)
        case .array(let values):
            w.nested(5) { w in for value in values { w.nested(1) { w in anyValue(&w, value) } } }
        case .keyValueList(let kvs):
            w.nested(6) { w in for kv in kvs { w.nested(1) { w in keyValue(&w, kv) } } }
        case .bytes(let b): w.bytes(7, b, always: true)
        }
    }

    static func keyValue(_ w: inout ProtobufWriter, _ kv: Attribute) {
        w.string(1, kv.key)
        w.nested(2) { w in anyValue(&w, kv.value) }
    }

    static func attributes(_ w: inout ProtobufWriter, _ field: Int, _ attributes: Attributes) {
        for kv in attributes { w.nested(field) { w in keyValue(&w, kv) } }
    }

    static func resource(_ w: inout ProtobufWriter, _ r: Resource) {
        attributes(&w, 1, r.attributes)
        w.uint32(2, r.droppedAttributesCount)
    }

    static func scope(_ w: inout ProtobufWriter, _ s: InstrumentationScope) {
        w.string(1, s.name)
        w.string(2, s.version)
        attributes(&w, 3, s.attributes)
        w.uint32(4, s.droppedAttributesCount)
    }

    static func traceID(_ w: inout ProtobufWriter, _ field: Int, _ id: TraceID) {
        guard id.isValid else { return }
        w.tag(field, 2)
        w.varint(16)
        withUnsafeBytes(of: id.high.bigEndian) { w.bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { w.bytes.append(contentsOf: $0) }
    }

    static func spanID(_ w: inout ProtobufWriter, _ field: Int, _ id: SpanID) {
        guard id.isValid else { return }
        w.tag(field, 2)
        w.varint(8)
        withUnsafeBytes(of: id.value.bigEndian) { w.bytes.append(contentsOf: $0) }
    }

    static func span(_ w: inout ProtobufWriter, _ s: Span) {
        traceID(&w, 1, s.traceID)
        spanID(&w, 2, s.spanID)
        w.string(3, s.traceState)
        spanID(&w, 4, s.parentSpanID)
        w.string(5, s.name)
        w.int32(6, s.kind.rawValue)
        w.fixed64(7, s.startTimeUnixNano)
        w.fixed64(8, s.endTimeUnixNano)
        attributes(&w, 9, s.attributes)
        w.uint32(10, s.droppedAttributesCount)
        for e in s.events {
            w.nested(11) { w in
                w.fixed64(1, e.timeUnixNano)
                w.string(2, e.name)
                attributes(&w, 3, e.attributes)
                w.uint32(4, e.droppedAttributesCount)
            }
        }
        w.uint32(12, s.droppedEventsCount)
        for l in s.links {
            w.nested(13) { w in
                traceID(&w, 1, l.traceID)
                spanID(&w, 2, l.spanID)
                w.string(3, l.traceState)
                attributes(&w, 4, l.attributes)
                w.uint32(5, l.droppedAttributesCount)
                w.fixed32(6, l.flags)
            }
        }
        w.uint32(14, s.droppedLinksCount)
        if s.status != SpanStatus() {
            w.nested(15) { w in
                w.string(2, s.status.message)
                w.int32(3, s.status.code.rawValue)
            }
        }
        w.fixed32(16, s.flags)
    }

    static func logRecord(_ w: inout ProtobufWriter, _ r: LogRecord) {
        w.fixed64(1, r.timeUnixNano)
        w.int32(2, r.severityNumber)
        w.string(3, r.severityText)
        if r.body != .empty { w.nested(5) { w in anyValue(&w, r.body) } }
        attributes(&w, 6, r.attributes)
        w.uint32(7, r.droppedAttributesCount)
        w.fixed32(8, r.flags)
        traceID(&w, 9, r.traceID)
        spanID(&w, 10, r.spanID)
        w.fixed64(11, r.observedTimeUnixNano)
        w.string(12, r.eventName)
    }

    static func exemplars(_ w: inout ProtobufWriter, _ field: Int, _ exemplars: [Exemplar]) {
        for e in exemplars {
            w.nested(field) { w in
                w.fixed64(2, e.timeUnixNano)
                numberValue(&w, asDouble: 3, asInt: 6, e.value)
                spanID(&w, 4, e.spanID)
                traceID(&w, 5, e.traceID)
                attributes(&w, 7, e.filteredAttributes)
            }
        }
    }

    static func numberValue(_ w: inout ProtobufWriter, asDouble: Int, asInt: Int, _ v: NumberValue) {
        switch v {
        case .double(let d): w.double(asDouble, d, always: true)
        case .int(let i):
            w.tag(asInt, 1)
            w.fixed64Raw(UInt64(bitPattern: i))
        }
    }

    static func numberPoint(_ w: inout ProtobufWriter, _ p: NumberDataPoint) {
        w.fixed64(2, p.startTimeUnixNano)
        w.fixed64(3, p.timeUnixNano)
        numberValue(&w, asDouble: 4, asInt: 6, p.value)
        exemplars(&w, 5, p.exemplars)
        attributes(&w, 7, p.attributes)
        w.uint32(8, p.flags.rawValue)
    }

    static func metric(_ w: inout ProtobufWriter, _ m: Metric) {
        w.string(1, m.name)
        w.string(2, m.description)
        w.string(3, m.unit)
        switch m.data {
        case .empty: break
        case .gauge(let points):
            w.nested(5) { w in for p in points { w.nested(1) { w in numberPoint(&w, p) } } }
        case .sum(let s):
            w.nested(7) { w in
                for p in s.dataPoints { w.nested(1) { w in numberPoint(&w, p) } }
                w.int32(2, s.temporality.rawValue)
                w.bool(3, s.isMonotonic)
            }
        case .histogram(let h):
            w.nested(9) { w in
                for p in h.dataPoints {
                    w.nested(1) { w in
                        w.fixed64(2, p.startTimeUnixNano)
                        w.fixed64(3, p.timeUnixNano)
                        w.fixed64(4, p.count)
                        if let sum = p.sum { w.double(5, sum, always: true) }
                        w.packedFixed64(6, p.bucketCounts)
                        w.packedDouble(7, p.explicitBounds)
                        exemplars(&w, 8, p.exemplars)
                        attributes(&w, 9, p.attributes)
                        w.uint32(10, p.flags.rawValue)
                        if let min = p.min { w.double(11, min, always: true) }
                        if let max = p.max { w.double(12, max, always: true) }
                    }
                }
                w.int32(2, h.temporality.rawValue)
            }
        case .exponentialHistogram(let h):
            w.nested(10) { w in
                for p in h.dataPoints {
                    w.nested(1) { w in
                        attributes(&w, 1, p.attributes)
                        w.fixed64(2, p.startTimeUnixNano)
                        w.fixed64(3, p.timeUnixNano)
                        w.fixed64(4, p.count)
                        if let sum = p.sum { w.double(5, sum, always: true) }
                        w.sint32(6, p.scale)
                        w.fixed64(7, p.zeroCount)
                        w.nested(8) { w in
                            w.sint32(1, p.positive.offset)
                            w.packedVarint(2, p.positive.bucketCounts)
                        }
                        w.nested(9) { w in
                            w.sint32(1, p.negative.offset)
                            w.packedVarint(2, p.negative.bucketCounts)
                        }
                        w.uint32(10, p.flags.rawValue)
                        exemplars(&w, 11, p.exemplars)
                        if let min = p.min { w.double(12, min, always: true) }
                        if let max = p.max { w.double(13, max, always: true) }
                        w.double(14, p.zeroThreshold)
                    }
                }
                w.int32(2, h.temporality.rawValue)
            }
        case .summary(let points):
            w.nested(11) { w in
                for p in points {
                    w.nested(1) { w in
                        w.fixed64(2, p.startTimeUnixNano)
                        w.fixed64(3, p.timeUnixNano)
                        w.fixed64(4, p.count)
                        w.double(5, p.sum)
                        for q in p.quantileValues {
                            w.nested(6) { w in
                                w.double(1, q.quantile)
                                w.double(2, q.value)
                            }
                        }
                        attributes(&w, 7, p.attributes)
                        w.uint32(8, p.flags.rawValue)
                    }
                }
            }
        }
        attributes(&w, 12, m.metadata)
    }
}

extension ProtobufWriter {
    public mutating func fixed32(_ field: Int, _ v: UInt32) {
        guard v != 0 else { return }
        tag(field, 5)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
