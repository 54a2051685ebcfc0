import GatewayCore
internal import OTLPWire

/// The few JSON documents of the Tempo API that OTLPJSON does not write.
enum TempoJSON {
    /// `{"error":"<message>"}`.
    static func error(_ message: String) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"error":"#.utf8)
        appendString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Tempo's `SearchResponse`: `{"traces":[{"traceID":..,"rootServiceName":..,"rootTraceName":..,
    /// "startTimeUnixNano":"<decimal string>","durationMs":<integer, truncated>,"spanCount":<integer>}]}`.
    static func search(_ summaries: [TraceSummary]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + summaries.count * 200)
        out.append(contentsOf: #"{"traces":["#.utf8)
        for (index, summary) in summaries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"traceID":""#.utf8)
            out.append(contentsOf: summary.traceID.description.utf8)
            out.append(contentsOf: #"","rootServiceName":"#.utf8)
            appendString(summary.rootServiceName, to: &out)
            out.append(contentsOf: #","rootTraceName":"#.utf8)
            appendString(summary.rootSpanName, to: &out)
            out.append(contentsOf: #","startTimeUnixNano":""#.utf8)
            out.append(contentsOf: String(summary.startTimeUnixNano).utf8)
            out.append(contentsOf: #"","durationMs":"#.utf8)
            let (seconds, attoseconds) = summary.duration.components
            out.append(contentsOf: String(seconds * 1000 + attoseconds / 1_000_000_000_000_000).utf8)
            out.append(contentsOf: #","spanCount":"#.utf8)
            out.append(contentsOf: String(summary.spanCount).utf8)
            if summary.matchedCount > 0 {
                var spanSet: [UInt8] = Array(#"{"spans":["#.utf8)
                for (i, span) in summary.matchedSpans.enumerated() {
                    if i > 0 { spanSet.append(UInt8(ascii: ",")) }
                    spanSet.append(contentsOf: #"{"spanID":""#.utf8)
                    spanSet.append(contentsOf: span.spanID.description.utf8)
                    spanSet.append(contentsOf: #"","name":"#.utf8)
                    appendString(span.name, to: &spanSet)
                    spanSet.append(contentsOf: #","startTimeUnixNano":""#.utf8)
                    spanSet.append(contentsOf: String(span.startTimeUnixNano).utf8)
                    spanSet.append(contentsOf: #"","durationNanos":""#.utf8)
                    spanSet.append(contentsOf: String(span.durationNanos).utf8)
                    spanSet.append(contentsOf: #""}"#.utf8)
                }
                spanSet.append(contentsOf: #"],"matched":"#.utf8)
                spanSet.append(contentsOf: String(summary.matchedCount).utf8)
                spanSet.append(UInt8(ascii: "}"))
                out.append(contentsOf: #","spanSet":"#.utf8)
                out.append(contentsOf: spanSet)
                out.append(contentsOf: #","spanSets":["#.utf8)
                out.append(contentsOf: spanSet)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `{"<key>":["a","b"]}`.
    static func stringList(_ key: String, _ values: [String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        appendString(key, to: &out)
        out.append(contentsOf: ":[".utf8)
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(value, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `{"scopes":[{"name":"resource","tags":[...]},...]}`, Tempo's v2 tag names.
    static func scopes(_ scopes: [(name: String, tags: [String])]) -> [UInt8] {
        var out: [UInt8] = Array(#"{"scopes":["#.utf8)
        for (i, scope) in scopes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"name":"#.utf8)
            appendString(scope.name, to: &out)
            out.append(contentsOf: #","tags":["#.utf8)
            for (j, tag) in scope.tags.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                appendString(tag, to: &out)
            }
            out.append(contentsOf: "]}".utf8)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `{"tagValues":[{"type":"string","value":"x"},...]}`, Tempo's v2 tag values.
    static func typedValues(_ values: [(type: String, value: String)]) -> [UInt8] {
        var out: [UInt8] = Array(#"{"tagValues":["#.utf8)
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"type":"#.utf8)
            appendString(value.type, to: &out)
            out.append(contentsOf: #","value":"#.utf8)
            appendString(value.value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `{"trace":<document>}`, wrapping an already encoded object.
    static func wrapTrace(_ document: [UInt8]) -> [UInt8] {
        Array(#"{"trace":"#.utf8) + document + [UInt8(ascii: "}")]
    }

    /// A JSON string literal, as OTLP/JSON writes them.
    static func appendString(_ s: String, to out: inout [UInt8]) { JSONString.append(s, to: &out) }
}
