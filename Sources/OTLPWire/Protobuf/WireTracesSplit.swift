public import GatewayCore

extension OTLPProtobuf {
    /// Splits forwarded trace bytes into `parts` requests by the owner of each span's trace id, without decoding:
    /// resources, scopes, spans and unknown fields are copied as they are, and each part is the concatenation of
    /// its `ResourceSpans` (a valid `ExportTraceServiceRequest`). `owner` maps a trace id's 16 bytes to a part
    /// (`0..<parts`). Nil when the bytes do not have the expected shape (the caller then splits the model).
    public static func splitWireTraces(
        _ wire: WireTraces, parts: Int, owner: (ArraySlice<UInt8>) -> Int
    ) -> [Traces]? {
        var outputs = [[UInt8]](repeating: [], count: parts)
        var spans = [Int](repeating: 0, count: parts)
        var resources = [Int](repeating: 0, count: parts)
        for segment in wire.segments {
            guard
                split(
                    segment[...], parts: parts, owner: owner, outputs: &outputs, spans: &spans, resources: &resources)
            else { return nil }
        }
        return (0..<parts).map { part in
            spans[part] == 0
                ? Traces()
                : Traces(
                    wire: WireTraces(
                        segments: [outputs[part]], segmentSpans: [spans[part]], segmentResources: [resources[part]],
                        codec: wire.codec))
        }
    }

    /// One field: its number, wire type, the whole field's bytes (tag included) and, for length-delimited ones,
    /// the payload.
    private struct Field {
        var number: Int
        var whole: ArraySlice<UInt8>
        var payload: ArraySlice<UInt8>?
    }

    private static func varint(_ bytes: ArraySlice<UInt8>, _ index: inout Int) -> UInt64? {
        ProtobufReader.varint(bytes, &index)
    }

    /// The fields of a message, in order; nil when malformed.
    private static func fields(_ bytes: ArraySlice<UInt8>) -> [Field]? {
        var out: [Field] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let start = index
            guard let key = varint(bytes, &index) else { return nil }
            var payload: ArraySlice<UInt8>?
            switch key & 7 {
            case 0: guard varint(bytes, &index) != nil else { return nil }
            case 1:
                guard bytes.endIndex - index >= 8 else { return nil }
                index += 8
            case 2:
                guard let n = varint(bytes, &index), n <= UInt64(bytes.endIndex - index) else { return nil }
                payload = bytes[index..<index + Int(n)]
                index += Int(n)
            case 5:
                guard bytes.endIndex - index >= 4 else { return nil }
                index += 4
            default: return nil
            }
            out.append(Field(number: Int(key >> 3), whole: bytes[start..<index], payload: payload))
        }
        return out
    }

    /// Appends field `number` (length-delimited) holding `parts` concatenated.
    private static func appendMessage(_ number: Int, _ parts: [ArraySlice<UInt8>], to out: inout [UInt8]) {
        ProtobufWriter.appendVarint(UInt64(number << 3 | 2), to: &out)
        ProtobufWriter.appendVarint(UInt64(parts.reduce(0) { $0 + $1.count }), to: &out)
        for part in parts { out.append(contentsOf: part) }
    }

    private static func split(
        _ request: ArraySlice<UInt8>, parts: Int, owner: (ArraySlice<UInt8>) -> Int, outputs: inout [[UInt8]],
        spans: inout [Int], resources: inout [Int]
    ) -> Bool {
        guard let requestFields = fields(request) else { return false }
        for resourceSpans in requestFields {
            // Unknown request fields are not part of any ResourceSpans: they are dropped, as a decode would.
            guard resourceSpans.number == 1, let body = resourceSpans.payload, let rsFields = fields(body) else {
                if resourceSpans.number == 1 { return false }
                continue
            }
            // Per part: the ResourceSpans' own fields other than scope_spans (kept in order), and its ScopeSpans.
            var scopesByPart = [[ArraySlice<UInt8>]](repeating: [], count: parts)
            for field in rsFields where field.number == 2 {
                guard let scopeBody = field.payload, let ssFields = fields(scopeBody) else { return false }
                var spansByPart = [[ArraySlice<UInt8>]](repeating: [], count: parts)
                for span in ssFields where span.number == 2 {
                    guard let spanBody = span.payload, let traceID = traceID(spanBody) else { return false }
                    let part = owner(traceID)
                    guard (0..<parts).contains(part) else { return false }
                    spansByPart[part].append(span.whole)
                }
                let others = ssFields.filter { $0.number != 2 }.map(\.whole)
                for part in 0..<parts where !spansByPart[part].isEmpty {
                    var scope: [UInt8] = []
                    appendMessage(2, others + spansByPart[part], to: &scope)
                    scopesByPart[part].append(scope[...])
                    spans[part] += spansByPart[part].count
                }
            }
            let rsOthers = rsFields.filter { $0.number != 2 }.map(\.whole)
            for part in 0..<parts where !scopesByPart[part].isEmpty {
                appendMessage(1, rsOthers + scopesByPart[part], to: &outputs[part])
                resources[part] += 1
            }
        }
        return true
    }

    /// A span's `trace_id` (field 1), 16 bytes; nil when absent or malformed.
    private static func traceID(_ span: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var index = span.startIndex
        while index < span.endIndex {
            guard let key = varint(span, &index) else { return nil }
            switch key & 7 {
            case 0: guard varint(span, &index) != nil else { return nil }
            case 1: index += 8
            case 2:
                guard let n = varint(span, &index), n <= UInt64(span.endIndex - index) else { return nil }
                if key >> 3 == 1 { return n == 16 ? span[index..<index + 16] : nil }
                index += Int(n)
            case 5: index += 4
            default: return nil
            }
            guard index <= span.endIndex else { return nil }
        }
        return nil
    }
}
