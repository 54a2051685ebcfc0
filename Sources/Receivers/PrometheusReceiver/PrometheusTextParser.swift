/// One sample line: `name{labels} value [timestamp]`.
public struct PrometheusSample: Sendable, Equatable {
    public var name: String
    /// Labels in the order written.
    public var labels: [(name: String, value: String)]
    public var value: Double
    /// Milliseconds since the epoch, when the line carried one.
    public var timestampMs: Int64?

    public static func == (a: PrometheusSample, b: PrometheusSample) -> Bool {
        a.name == b.name && a.labels.elementsEqual(b.labels, by: { $0 == $1 })
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN)) && a.timestampMs == b.timestampMs
    }
}

/// A metric family: the `# TYPE`, `# HELP` and `# UNIT` metadata and every sample that belongs to it.
public struct PrometheusFamily: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram, summary, untyped, unknown, info, stateset, gaugehistogram
    }

    public var name: String
    public var kind: Kind
    public var help: String
    public var unit: String
    public var samples: [PrometheusSample]
}

/// The Prometheus text exposition format 0.0.4 and OpenMetrics 1.0, parsed into families.
///
/// Strict where the formats are: a malformed line fails the whole scrape (as in Prometheus) with the line number
/// and why. Exemplars (OpenMetrics, after ` # `) are read past and not kept.
public enum PrometheusTextParser {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var message: String

        public var description: String { "line \(line): \(message)" }
    }

    /// Suffixes that tie a sample to its family, by kind.
    static func family(of sample: String, kinds: [String: PrometheusFamily.Kind]) -> String {
        if kinds[sample] != nil { return sample }
        for suffix in ["_bucket", "_count", "_sum", "_created", "_total", "_info", "_gcount", "_gsum"]
        where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if let kind = kinds[base] {
                switch (kind, suffix) {
                case (.histogram, "_bucket"), (.histogram, "_count"), (.histogram, "_sum"), (.histogram, "_created"),
                    (.summary, "_count"), (.summary, "_sum"), (.summary, "_created"),
                    (.counter, "_total"), (.counter, "_created"), (.info, "_info"),
                    (.gaugehistogram, "_bucket"), (.gaugehistogram, "_gcount"), (.gaugehistogram, "_gsum"):
                    return base
                default: break
                }
            }
        }
        return sample
    }

    /// Parses `text`; `openMetrics` accepts `# UNIT`, `# EOF` and exemplars, and reads timestamps in seconds.
    public static func parse(_ text: String, openMetrics: Bool) throws(ParseError) -> [PrometheusFamily] {
        var kinds: [String: PrometheusFamily.Kind] = [:]
        var helps: [String: String] = [:]
        var units: [String: String] = [:]
        var order: [String] = []
        var samples: [String: [PrometheusSample]] = [:]
        var sawEOF = false
        var lineNumber = 0
        // Lines are split on the UTF-8 bytes: splitting a String by Character would run grapheme breaking over
        // every byte of the scrape.
        for lineBytes in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let rawLine = Substring(lineBytes)
            lineNumber += 1
            let line = rawLine.utf8.last == 0x0D ? Substring(rawLine.utf8.dropLast()) : rawLine
            if sawEOF {
                if !line.isEmpty { throw ParseError(line: lineNumber, message: "content after # EOF") }
                continue
            }
            if line.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if line.utf8.first == UInt8(ascii: "#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
                if openMetrics, line == "# EOF" {
                    sawEOF = true
                    continue
                }
                guard parts.count >= 3, ["TYPE", "HELP", "UNIT"].contains(parts[1]) else { continue }
                let name = String(parts[2])
                let rest = parts.count > 3 ? String(parts[3]) : ""
                switch parts[1] {
                case "TYPE":
                    guard let kind = PrometheusFamily.Kind(rawValue: rest.lowercased()) else {
                        throw ParseError(line: lineNumber, message: "unknown metric type \"\(rest)\"")
                    }
                    if kinds[name] != nil {
                        throw ParseError(line: lineNumber, message: "second TYPE line for \(name)")
                    }
                    kinds[name] = kind
                    if samples[name] == nil, !order.contains(name) { order.append(name) }
                case "HELP": helps[name] = unescapeHelp(rest)
                default: units[name] = rest
                }
                continue
            }
            var sample = try parseSample(line, lineNumber: lineNumber, openMetrics: openMetrics)
            if openMetrics, let ts = sample.timestampMs {
                // OpenMetrics timestamps are seconds; parseSample read them as a number of seconds × 1000 already.
                sample.timestampMs = ts
            }
            let family = family(of: sample.name, kinds: kinds)
            if samples[family] == nil {
                samples[family] = []
                if !order.contains(family) { order.append(family) }
            }
            samples[family]!.append(sample)
        }
        if openMetrics, !sawEOF { throw ParseError(line: lineNumber, message: "missing # EOF") }
        return order.map { name in
            PrometheusFamily(
                name: name, kind: kinds[name] ?? .untyped, help: helps[name] ?? "", unit: units[name] ?? "",
                samples: samples[name] ?? [])
        }
    }

    static func unescapeHelp(_ text: String) -> String {
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                out.append(c == "n" ? "\n" : c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    static func parseSample(_ line: Substring, lineNumber: Int, openMetrics: Bool) throws(ParseError)
        -> PrometheusSample
    {
        // Bytes, not characters: every byte that matters to the syntax is ASCII, and names and values are copied
        // out whole.
        var line = line
        var result: Result<PrometheusSample, ParseError> = .failure(ParseError(line: lineNumber, message: "empty"))
        line.withUTF8 { chars in
            result = Result { () throws(ParseError) -> PrometheusSample in
                try parseSample(bytes: chars, lineNumber: lineNumber, openMetrics: openMetrics)
            }
        }
        return try result.get()
    }

    static func parseSample(bytes chars: UnsafeBufferPointer<UInt8>, lineNumber: Int, openMetrics: Bool)
        throws(ParseError) -> PrometheusSample
    {
        var i = 0
        func fail(_ message: String) -> ParseError { ParseError(line: lineNumber, message: message) }
        func isNameByte(_ c: UInt8, first: Bool) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c == 0x3A
                || (!first && c >= 0x30 && c <= 0x39)
        }
        func text(_ from: Int, _ to: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: chars[from..<to]), as: UTF8.self)
        }
        let space: UInt8 = 0x20
        let nameStart = i
        while i < chars.count, isNameByte(chars[i], first: i == nameStart) { i += 1 }
        guard i > nameStart else { throw fail("expected a metric name") }
        let name = text(nameStart, i)
        var labels: [(name: String, value: String)] = []
        if i < chars.count, chars[i] == UInt8(ascii: "{") {
            i += 1
            while true {
                while i < chars.count, chars[i] == space { i += 1 }
                guard i < chars.count else { throw fail("unterminated label set") }
                if chars[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                let labelStart = i
                while i < chars.count, isNameByte(chars[i], first: i == labelStart), chars[i] != UInt8(ascii: ":") {
                    i += 1
                }
                guard i > labelStart else { throw fail("expected a label name") }
                let labelName = text(labelStart, i)
                while i < chars.count, chars[i] == space { i += 1 }
                guard i < chars.count, chars[i] == UInt8(ascii: "=") else {
                    throw fail("expected = after label \(labelName)")
                }
                i += 1
                while i < chars.count, chars[i] == space { i += 1 }
                guard i < chars.count, chars[i] == UInt8(ascii: "\"") else {
                    throw fail("expected a quoted label value")
                }
                i += 1
                let valueStart = i
                var escaped = false
                var closed = false
                while i < chars.count {
                    let c = chars[i]
                    if c == UInt8(ascii: "\\"), i + 1 < chars.count {
                        escaped = true
                        i += 2
                        continue
                    }
                    if c == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    i += 1
                }
                guard closed else { throw fail("unterminated label value") }
                var value: String
                if escaped {
                    var out: [UInt8] = []
                    out.reserveCapacity(i - valueStart)
                    var k = valueStart
                    while k < i {
                        if chars[k] == UInt8(ascii: "\\"), k + 1 < i {
                            switch chars[k + 1] {
                            case UInt8(ascii: "n"): out.append(0x0A)
                            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                            default:
                                out.append(UInt8(ascii: "\\"))
                                out.append(chars[k + 1])
                            }
                            k += 2
                        } else {
                            out.append(chars[k])
                            k += 1
                        }
                    }
                    value = String(decoding: out, as: UTF8.self)
                } else {
                    value = text(valueStart, i)
                }
                i += 1
                if labels.contains(where: { $0.name == labelName }) { throw fail("label \(labelName) repeated") }
                labels.append((labelName, value))
                while i < chars.count, chars[i] == space { i += 1 }
                if i < chars.count, chars[i] == UInt8(ascii: ",") {
                    i += 1
                } else if i >= chars.count || chars[i] != UInt8(ascii: "}") {
                    throw fail("expected , or } after the value of label \(labelName)")
                }
            }
        }
        // Value, optional timestamp, and in OpenMetrics an exemplar after " # ".
        var fields: [Substring] = []
        var end = chars.count
        if openMetrics {
            var k = i
            while k + 2 < chars.count {
                if chars[k] == space && chars[k + 1] == UInt8(ascii: "#") && chars[k + 2] == space {
                    end = k
                    break
                }
                k += 1
            }
        }
        var k = i
        while k < end {
            while k < end, chars[k] == space || chars[k] == 0x09 { k += 1 }
            let start = k
            while k < end, chars[k] != space && chars[k] != 0x09 { k += 1 }
            if k > start { fields.append(Substring(text(start, k))) }
        }
        guard !fields.isEmpty else { throw fail("expected a value") }
        guard fields.count <= 2 else { throw fail("unexpected text after the timestamp") }
        guard let value = parseValue(fields[0]) else { throw fail("invalid value \"\(fields[0])\"") }
        var timestamp: Int64?
        if fields.count == 2 {
            if openMetrics {
                guard let seconds = Double(fields[1]), seconds.isFinite else {
                    throw fail("invalid timestamp \"\(fields[1])\"")
                }
                timestamp = Int64((seconds * 1000).rounded())
            } else {
                guard let ms = Int64(fields[1]) else { throw fail("invalid timestamp \"\(fields[1])\"") }
                timestamp = ms
            }
        }
        return PrometheusSample(name: name, labels: labels, value: value, timestampMs: timestamp)
    }

    static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf", "+inf", "inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case "NaN", "nan": return .nan
        default: return Double(text)
        }
    }
}
