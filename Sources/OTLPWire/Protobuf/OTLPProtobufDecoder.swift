internal import COTLPProto
internal import CProtoValidate
public import GatewayCore

typealias PBKeyValue = Opentelemetry__Proto__Common__V1__KeyValue
typealias PBAnyValue = Opentelemetry__Proto__Common__V1__AnyValue
typealias PBResource = Opentelemetry__Proto__Resource__V1__Resource
typealias PBScope = Opentelemetry__Proto__Common__V1__InstrumentationScope
typealias PBExemplar = Opentelemetry__Proto__Metrics__V1__Exemplar
typealias PBNumberDataPoint = Opentelemetry__Proto__Metrics__V1__NumberDataPoint

/// Decodes OTLP protobuf export requests into the core model, through protobuf-c unpacking into an arena.
public enum OTLPProtobuf {
    /// Nesting of AnyValue arrays/maps beyond this is refused: recursion on attacker-controlled depth would
    /// exhaust the stack. protobuf-c recurses once per nested message while unpacking, so the bytes are checked
    /// by a non-recursive walk (`validate`) before protobuf-c sees them, and the limit is enforced there.
    public static let maxAnyValueDepth = 32

    /// Checks `bytes` as an `Export*ServiceRequest` of `signal` without recursion: wire types against the schema,
    /// lengths, varints, UTF-8 of every string field, and the AnyValue nesting limit. Every decode runs it first;
    /// exposed for components that forward bytes without decoding them.
    public static func validate(_ bytes: UnsafeRawBufferPointer, signal: Signal) throws(OTLPDecodingError) {
        let which: Int32
        switch signal {
        case .traces: which = 0
        case .metrics: which = 1
        case .logs: which = 2
        }
        var result = pbv_result()
        var name: UnsafePointer<CChar>?
        let valid = pbv_validate_otlp_request(
            which, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, UInt32(maxAnyValueDepth),
            &result,
            &name)
        guard valid == 0 else { return }
        let requestName = name.map { String(cString: $0) } ?? "request"
        var place = result.message_name.map { String(cString: $0) } ?? requestName
        if let field = result.field_name { place += ".\(String(cString: field))" }
        if result.reason == PBV_RECURSION_TOO_DEEP {
            throw OTLPDecodingError(
                "invalid \(requestName): AnyValue nested deeper than \(maxAnyValueDepth) levels (\(place), at byte \(result.offset))"
            )
        }
        let reason = String(cString: pbv_reason_text(result.reason))
        throw OTLPDecodingError("invalid \(requestName): \(reason) (\(place), at byte \(result.offset))")
    }

    public static func decodeTraces(_ bytes: UnsafeRawBufferPointer, arena: ProtobufArena) throws(OTLPDecodingError)
        -> Traces
    {
        try validate(bytes, signal: .traces)
        return try arena.withAllocator { (allocator) throws(OTLPDecodingError) -> Traces in
            guard
                let request = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
                    allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
            else {
                throw OTLPDecodingError(
                    "invalid ExportTraceServiceRequest: protobuf unpack failed (malformed or truncated message)")
            }
            return try TracesReader.read(request.pointee)
        }
    }

    /// Traces kept in the form they arrived in: validated as `decodeTraces` would (wire types, lengths, nesting,
    /// UTF-8, id lengths, with the same messages), counted, and copied once; nothing is decoded.
    public static func wireTraces(_ bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Traces {
        try validate(bytes, signal: .traces)
        var scan = pbv_trace_scan()
        let status = pbv_scan_traces(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &scan)
        if status < 0 {
            throw OTLPDecodingError("invalid ExportTraceServiceRequest: malformed or truncated message")
        }
        if status == 0 {
            let name = scan.name.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scan.name_len), as: UTF8.self)
            }
            let what: String
            switch scan.bad_id {
            case 3: what = "span \"\(name ?? "")\" parent"
            case 4, 5: what = "span \"\(name ?? "")\" link"
            default: what = "span \"\(name ?? "")\""
            }
            let kind = scan.bad_id == 1 || scan.bad_id == 4 ? "trace id must be 16" : "span id must be 8"
            throw OTLPDecodingError("\(what): \(kind) bytes, got \(scan.bad_length)")
        }
        return Traces(
            wire: WireTraces(
                segments: [Array(bytes)], segmentSpans: [scan.spans], segmentResources: [scan.resource_spans],
                codec: tracesCodec))
    }

    /// Decodes and encodes wire-form traces for the components that read their fields.
    public static let tracesCodec = WireTracesCodec(
        decode: { bytes in
            let arena = ProtobufArena()
            return bytes.withUnsafeBytes { raw in try? decodeTraces(raw, arena: arena).resourceSpans }
        },
        encode: { encode($0) })

    public static func decodeMetrics(_ bytes: UnsafeRawBufferPointer, arena: ProtobufArena) throws(OTLPDecodingError)
        -> Metrics
    {
        try validate(bytes, signal: .metrics)
        return try arena.withAllocator { (allocator) throws(OTLPDecodingError) -> Metrics in
            guard
                let request = opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(
                    allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
            else {
                throw OTLPDecodingError(
                    "invalid ExportMetricsServiceRequest: protobuf unpack failed (malformed or truncated message)")
            }
            return try MetricsReader.read(request.pointee)
        }
    }

    public static func decodeLogs(_ bytes: UnsafeRawBufferPointer, arena: ProtobufArena) throws(OTLPDecodingError)
        -> Logs
    {
        try validate(bytes, signal: .logs)
        return try arena.withAllocator { (allocator) throws(OTLPDecodingError) -> Logs in
            guard
                let request = opentelemetry__proto__collector__logs__v1__export_logs_service_request__unpack(
                    allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
            else {
                throw OTLPDecodingError(
                    "invalid ExportLogsServiceRequest: protobuf unpack failed (malformed or truncated message)")
            }
            return try LogsReader.read(request.pointee)
        }
    }
}

/// Shared conversions from protobuf-c structs.
enum PB {
    @inline(__always)
    static func string(_ p: UnsafeMutablePointer<CChar>?) -> String {
        guard let p, p.pointee != 0 else { return "" }
        return String(cString: p)
    }

    @inline(__always)
    static func array<T, R>(
        _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ f: (T) throws(OTLPDecodingError) -> R
    ) throws(OTLPDecodingError) -> [R] {
        guard n > 0, let p else { return [] }
        var out: [R] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            guard let element = p[i] else { continue }
            out.append(try f(element.pointee))
        }
        return out
    }

    @inline(__always)
    static func scalars<T>(_ n: Int, _ p: UnsafeMutablePointer<T>?) -> [T] {
        guard n > 0, let p else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: n))
    }

    static func bytes(_ b: ProtobufCBinaryData) -> [UInt8] {
        guard b.len > 0, let data = b.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: b.len))
    }

    static func traceID(_ b: ProtobufCBinaryData, _ what: @autoclosure () -> String) throws(OTLPDecodingError)
        -> TraceID
    {
        if b.len == 0 { return .invalid }
        guard b.len == 16, let data = b.data,
            let id = TraceID(bytes: UnsafeBufferPointer(start: data, count: 16))
        else { throw OTLPDecodingError("\(what()): trace id must be 16 bytes, got \(b.len)") }
        return id
    }

    static func spanID(_ b: ProtobufCBinaryData, _ what: @autoclosure () -> String) throws(OTLPDecodingError) -> SpanID
    {
        if b.len == 0 { return .invalid }
        guard b.len == 8, let data = b.data,
            let id = SpanID(bytes: UnsafeBufferPointer(start: data, count: 8))
        else { throw OTLPDecodingError("\(what()): span id must be 8 bytes, got \(b.len)") }
        return id
    }

    static func attributes(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<PBKeyValue>?>?)
        throws(OTLPDecodingError) -> Attributes
    {
        guard n > 0 else { return Attributes() }
        return Attributes(try keyValues(n, p, depth: 0))
    }

    static func keyValues(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<PBKeyValue>?>?, depth: Int)
        throws(OTLPDecodingError) -> [Attribute]
    {
        try array(n, p) { (kv) throws(OTLPDecodingError) -> Attribute in
            Attribute(key: string(kv.key), value: try anyValue(kv.value, depth: depth))
        }
    }

    static func anyValue(_ p: UnsafeMutablePointer<PBAnyValue>?, depth: Int) throws(OTLPDecodingError) -> AnyValue {
        guard let p else { return .empty }
        guard depth < OTLPProtobuf.maxAnyValueDepth else {
            throw OTLPDecodingError("AnyValue nested deeper than \(OTLPProtobuf.maxAnyValueDepth) levels")
        }
        let v = p.pointee
        switch v.value_case {
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE: return .string(string(v.string_value))
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE: return .bool(v.bool_value != 0)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE: return .int(v.int_value)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE: return .double(v.double_value)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE: return .bytes(bytes(v.bytes_value))
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
            guard let array = v.array_value else { return .array([]) }
            return .array(
                try PB.array(array.pointee.n_values, array.pointee.values) {
                    (element) throws(OTLPDecodingError) -> AnyValue in
                    var copy = element
                    return try anyValue(&copy, depth: depth + 1)
                })
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
            guard let list = v.kvlist_value else { return .keyValueList([]) }
            return .keyValueList(try keyValues(list.pointee.n_values, list.pointee.values, depth: depth + 1))
        default:
            return .empty
        }
    }

    static func resource(_ p: UnsafeMutablePointer<PBResource>?) throws(OTLPDecodingError) -> Resource {
        guard let r = p?.pointee else { return Resource() }
        return Resource(
            attributes: try attributes(r.n_attributes, r.attributes), droppedAttributesCount: r.dropped_attributes_count
        )
    }

    static func scope(_ p: UnsafeMutablePointer<PBScope>?) throws(OTLPDecodingError) -> InstrumentationScope {
        guard let s = p?.pointee else { return InstrumentationScope() }
        return InstrumentationScope(
            name: string(s.name),
            version: string(s.version),
            attributes: try attributes(s.n_attributes, s.attributes),
            droppedAttributesCount: s.dropped_attributes_count
        )
    }
}
