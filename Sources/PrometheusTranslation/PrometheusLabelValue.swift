public import GatewayCore

/// An attribute value as a Prometheus label value, as the OpenTelemetry Collector's `pcommon.Value.AsString` writes
/// it for Prometheus' OTLP translator.
///
/// Strings as they are; bools `true`/`false`; integers in decimal; doubles as JSON numbers (`0.1`, `100`, `1e-7`,
/// `1e+21`); bytes in padded base64; arrays and maps as compact JSON, map keys sorted and the last of duplicated keys
/// kept. Empty values give "" (and Prometheus drops empty labels). A non-finite double gives Go's JSON error text
/// (`json: unsupported value: NaN`) at the top level and makes a whole array or map "".
public func prometheusLabelValue(_ value: AnyValue) -> String {
    switch value {
    case .empty: return ""
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d):
        guard d.isFinite else { return "json: unsupported value: " + GoFloat.nonFinite(d) }
        return GoFloat.jsonNumber(d)
    case .bytes(let bytes): return Base64.encode(bytes)
    case .array, .keyValueList:
        var json = ""
        return JSONText.append(value, to: &json) ? json : ""
    }
}

/// Compact JSON as Go's `encoding/json` writes the raw form of an OTLP value (`AsRaw`).
enum JSONText {
    /// Appends `value`; false where Go's encoder fails (a non-finite double).
    static func append(_ value: AnyValue, to out: inout String) -> Bool {
        switch value {
        case .empty:
            out += "null"
        case .string(let s):
            appendString(s, to: &out)
        case .bool(let b):
            out += b ? "true" : "false"
        case .int(let i):
            out += String(i)
        case .double(let d):
            guard d.isFinite else { return false }
            out += GoFloat.jsonNumber(d)
        case .bytes(let bytes):
            // Go copies empty bytes to a nil slice, which encodes as null.
            if bytes.isEmpty {
                out += "null"
            } else {
                out += "\""
                out += Base64.encode(bytes)
                out += "\""
            }
        case .array(let values):
            out += "["
            for (i, element) in values.enumerated() {
                if i > 0 { out += "," }
                guard append(element, to: &out) else { return false }
            }
            out += "]"
        case .keyValueList(let pairs):
            // A Go map: the last value of a duplicated key wins, and keys are written in byte order.
            var latest: [ByteString: Int] = [:]
            for (i, pair) in pairs.enumerated() { latest[ByteString(pair.key)] = i }
            let order = latest.values.sorted { utf8Less(pairs[$0].key, pairs[$1].key) }
            out += "{"
            for (n, i) in order.enumerated() {
                if n > 0 { out += "," }
                appendString(pairs[i].key, to: &out)
                out += ":"
                guard append(pairs[i].value, to: &out) else { return false }
            }
            out += "}"
        }
        return true
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)

    /// A JSON string with Go's escaping: `"` and `\`, the short escapes `\b \f \n \r \t`, other control characters,
    /// `<`, `>` and `&` (HTML-safe) and U+2028/U+2029 as `\u00XX`-style escapes.
    static func appendString(_ s: String, to out: inout String) {
        var scalars = String.UnicodeScalarView()
        scalars.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": scalars.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": scalars.append(contentsOf: "\\\\".unicodeScalars)
            case "\u{08}": scalars.append(contentsOf: "\\b".unicodeScalars)
            case "\u{0C}": scalars.append(contentsOf: "\\f".unicodeScalars)
            case "\n": scalars.append(contentsOf: "\\n".unicodeScalars)
            case "\r": scalars.append(contentsOf: "\\r".unicodeScalars)
            case "\t": scalars.append(contentsOf: "\\t".unicodeScalars)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &scalars)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, to: &scalars)
                } else {
                    scalars.append(scalar)
                }
            }
        }
        scalars.append("\"")
        out.unicodeScalars.append(contentsOf: scalars)
    }

    private static func appendUnicodeEscape(_ value: UInt32, to scalars: inout String.UnicodeScalarView) {
        scalars.append(contentsOf: "\\u".unicodeScalars)
        for shift in stride(from: 12, through: 0, by: -4) {
            scalars.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}
