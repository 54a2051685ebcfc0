public import GatewayCore

/// OTLP/JSON ("JSON Protobuf Encoding" in the OTLP specification) <-> the core model.
///
/// Decoding reads the request body in one pass straight into the model. It accepts what protobuf JSON parsers
/// must: lowerCamelCase or proto field names, enums as numbers or names, 64-bit integers as numbers or strings,
/// `"NaN"`/`"Infinity"`/`"-Infinity"` for doubles, and `null` for any default. Unknown fields are skipped.
/// Encoding writes lowerCamelCase names, enums as numbers, 64-bit integers as strings and ids as lower-case
/// hex, leaving out fields at their default as proto3 JSON does.
public enum OTLPJSON {
    // MARK: Decoding

    /// Decodes an `ExportTraceServiceRequest`; an empty body is an empty request.
    public static func decodeTraces(_ bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Traces {
        try decode(bytes, empty: Traces(), readTraces)
    }

    /// Decodes an `ExportTraceServiceRequest` and converts it once to the wire form, so JSON input travels the
    /// pipeline as protobuf input does: forwarded as bytes, its fields read in place.
    public static func wireTraces(_ bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Traces {
        let model = try decodeTraces(bytes)
        guard model.spanCount > 0 else { return model }
        return Traces(
            wire: WireTraces(
                segments: [OTLPProtobuf.encode(model)], segmentSpans: [model.spanCount],
                segmentResources: [model.resourceSpanCount], codec: OTLPProtobuf.tracesCodec))
    }

    /// Decodes an `ExportTraceServiceRequest`; an empty body is an empty request.
    public static func decodeTraces(_ bytes: some Collection<UInt8>) throws(OTLPDecodingError) -> Traces {
        try withContiguousBytes(bytes) { (raw) throws(OTLPDecodingError) in try decodeTraces(raw) }
    }

    /// Decodes an `ExportMetricsServiceRequest`; an empty body is an empty request.
    public static func decodeMetrics(_ bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Metrics {
        try decode(bytes, empty: Metrics(), readMetrics)
    }

    /// Decodes an `ExportMetricsServiceRequest`; an empty body is an empty request.
    public static func decodeMetrics(_ bytes: some Collection<UInt8>) throws(OTLPDecodingError) -> Metrics {
        try withContiguousBytes(bytes) { (raw) throws(OTLPDecodingError) in try decodeMetrics(raw) }
    }

    /// Decodes an `ExportLogsServiceRequest`; an empty body is an empty request.
    public static func decodeLogs(_ bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Logs {
        try decode(bytes, empty: Logs(), readLogs)
    }

    /// Decodes an `ExportLogsServiceRequest`; an empty body is an empty request.
    public static func decodeLogs(_ bytes: some Collection<UInt8>) throws(OTLPDecodingError) -> Logs {
        try withContiguousBytes(bytes) { (raw) throws(OTLPDecodingError) in try decodeLogs(raw) }
    }

    private static func decode<T>(
        _ bytes: UnsafeRawBufferPointer,
        empty: T,
        _ read: (inout JSONReader) throws(JSONFailure) -> T
    ) throws(OTLPDecodingError) -> T {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return empty }
        var reader = JSONReader(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        do throws(JSONFailure) {
            guard reader.peek() != nil else { return empty }
            let value = try read(&reader)
            try reader.expectEnd()
            return value
        } catch {
            throw OTLPDecodingError(error)
        }
    }

    private static func withContiguousBytes<T>(
        _ bytes: some Collection<UInt8>,
        _ body: (UnsafeRawBufferPointer) throws(OTLPDecodingError) -> T
    ) throws(OTLPDecodingError) -> T {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(OTLPDecodingError) -> T in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBytes { raw in
            Result { () throws(OTLPDecodingError) -> T in try body(raw) }
        }.get()
    }

    // MARK: Encoding

    /// Encodes an `ExportTraceServiceRequest`.
    public static func encodeTraces(_ traces: Traces) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + traces.spanCount * 512)
        writeTraces(&writer, traces)
        return writer.bytes
    }

    /// Encodes an `ExportMetricsServiceRequest`.
    public static func encodeMetrics(_ metrics: Metrics) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + metrics.dataPointCount * 256)
        writeMetrics(&writer, metrics)
        return writer.bytes
    }

    /// Encodes an `ExportLogsServiceRequest`.
    public static func encodeLogs(_ logs: Logs) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + logs.logRecordCount * 384)
        writeLogs(&writer, logs)
        return writer.bytes
    }

    /// Encodes the `Export*ServiceResponse` for `signal`: `{}` when everything was accepted, otherwise a
    /// `partialSuccess` with `rejectedSpans` / `rejectedDataPoints` / `rejectedLogRecords` (a string, as an
    /// int64) and `errorMessage`, each left out at its default.
    public static func encodeExportResponse(rejected: Int64, errorMessage: String, signal: Signal) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + errorMessage.utf8.count)
        writer.beginObject()
        if rejected != 0 || !errorMessage.isEmpty {
            writer.key("partialSuccess")
            writer.beginObject()
            if rejected != 0 {
                switch signal {
                case .traces: writer.key("rejectedSpans")
                case .metrics: writer.key("rejectedDataPoints")
                case .logs: writer.key("rejectedLogRecords")
                }
                writer.quoted(rejected)
            }
            if !errorMessage.isEmpty {
                writer.key("errorMessage")
                writer.string(errorMessage)
            }
            writer.endObject()
        }
        writer.endObject()
        return writer.bytes
    }

    /// Encodes a `google.rpc.Status`, the body of an OTLP/HTTP error response: `{"code":3,"message":"..."}`
    /// (the message is left out when empty).
    public static func encodeStatus(code: Int32, message: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 32 + message.utf8.count)
        writer.beginObject()
        writer.key("code")
        writer.number(Int64(code))
        if !message.isEmpty {
            writer.key("message")
            writer.string(message)
        }
        writer.endObject()
        return writer.bytes
    }
}
