public import ComponentKit

/// One entry of `relabel_configs` or `metric_relabel_configs`, with Prometheus' keys, defaults and semantics.
public struct RelabelRule: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase
    }

    public var action: Action
    public var sourceLabels: [String]
    public var separator: String
    public var targetLabel: String
    /// Anchored at both ends, as Prometheus anchors it.
    public var regex: AnchoredRegex
    public var modulus: UInt64
    public var replacement: String

    /// Applies the rule; nil drops the target or series.
    public func apply(_ labels: [String: String]) -> [String: String]? {
        var labels = labels
        let joined = sourceLabels.map { labels[$0] ?? "" }.joined(separator: separator)
        switch action {
        case .replace:
            guard let match = regex.wholeMatch(joined) else { return labels }
            let target = RegexTemplate.expand(targetLabel, match)
            let value = RegexTemplate.expand(replacement, match)
            guard !target.isEmpty, Self.isLabelName(target) else { return labels }
            if value.isEmpty { labels[target] = nil } else { labels[target] = value }
        case .keep:
            if regex.wholeMatch(joined) == nil { return nil }
        case .drop:
            if regex.wholeMatch(joined) != nil { return nil }
        case .keepequal:
            if joined != (labels[targetLabel] ?? "") { return nil }
        case .dropequal:
            if joined == (labels[targetLabel] ?? "") { return nil }
        case .hashmod:
            // Prometheus: the first 8 bytes of the MD5 of the joined value, big-endian, modulo `modulus`.
            let digest = MD5.digest(Array(joined.utf8))
            var n: UInt64 = 0
            for byte in digest[8..<16] { n = n << 8 | UInt64(byte) }
            labels[targetLabel] = String(n % modulus)
        case .labelmap:
            for (name, value) in labels {
                guard let match = regex.wholeMatch(name) else { continue }
                labels[RegexTemplate.expand(replacement, match)] = value
            }
        case .labeldrop:
            for name in labels.keys where regex.wholeMatch(name) != nil { labels[name] = nil }
        case .labelkeep:
            for name in labels.keys where regex.wholeMatch(name) == nil { labels[name] = nil }
        case .lowercase:
            labels[targetLabel] = joined.lowercased()
        case .uppercase:
            labels[targetLabel] = joined.uppercased()
        }
        return labels
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// Applies `rules` in order; nil when one drops the target or series.
    public static func apply(_ rules: [RelabelRule], to labels: [String: String]) -> [String: String]? {
        var current = labels
        for rule in rules {
            guard let next = rule.apply(current) else { return nil }
            current = next
        }
        return current
    }

    /// Decodes a list under `key`.
    static func decodeList(_ reader: MappingReader, _ key: String) -> [RelabelRule] {
        (reader.mappingList(key, expected: "a relabel rule like {source_labels: [a], action: keep}") ?? [])
            .compactMap { item in
                defer { item.finish() }
                return decode(item)
            }
    }

    static func decode(_ item: MappingReader) -> RelabelRule? {
        let actionText = item.string("action", default: "replace").lowercased()
        guard let action = Action(rawValue: actionText) else {
            item.report(
                "action",
                "unknown action \(quoted(actionText)); expected one of \(Action.allCases.map(\.rawValue).joined(separator: ", "))"
            )
            return nil
        }
        let sources = item.stringList("source_labels")?.strings ?? []
        let separator = item.string("separator", default: ";")
        let target = item.string("target_label", default: "")
        let regexText = item.string("regex", default: "(.*)")
        let modulus = item.int("modulus", default: 0, min: 0)
        let replacement = item.string("replacement", default: "$1")
        let regex: AnchoredRegex
        do {
            regex = try AnchoredRegex(regexText)
        } catch {
            item.report("regex", "invalid regular expression \(quoted(regexText)): \(error)")
            return nil
        }
        switch action {
        case .replace, .lowercase, .uppercase, .hashmod, .keepequal, .dropequal:
            if target.isEmpty { item.report("target_label", "required by action \(action.rawValue)") }
        default:
            break
        }
        if action == .hashmod, modulus == 0 { item.report("modulus", "required by action hashmod: at least 1") }
        if [.keep, .drop, .keepequal, .dropequal, .hashmod, .lowercase, .uppercase].contains(action), sources.isEmpty {
            item.report("source_labels", "required by action \(action.rawValue)")
        }
        return RelabelRule(
            action: action, sourceLabels: sources, separator: separator, targetLabel: target, regex: regex,
            modulus: UInt64(Swift.max(modulus, 1)), replacement: replacement)
    }
}

/// A regular expression matched against a whole value (`^(?:re)$`), compiled once.
public final class AnchoredRegex: @unchecked Sendable {
    public let text: String
    let regex: Regex<AnyRegexOutput>

    public init(_ text: String) throws {
        self.text = text
        self.regex = try Regex("^(?:" + text + ")$")
    }

    func wholeMatch(_ value: String) -> Regex<AnyRegexOutput>.Match? { try? regex.wholeMatch(in: value) }
}

/// MD5 (RFC 1321), for `hashmod`: Prometheus shards targets by it, so the same value must land in the same shard.
enum MD5 {
    private static let s: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ]
    private static let k: [UInt32] = (0..<64).map {
        UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296))
    }

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var a0: UInt32 = 0x6745_2301
        var b0: UInt32 = 0xefcd_ab89
        var c0: UInt32 = 0x98ba_dcfe
        var d0: UInt32 = 0x1032_5476
        var data = message
        let bitLength = UInt64(message.count) &* 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * i))) }
        for chunk in stride(from: 0, to: data.count, by: 64) {
            var m = [UInt32](repeating: 0, count: 16)
            for i in 0..<16 {
                let b = chunk + i * 4
                m[i] =
                    UInt32(data[b]) | UInt32(data[b + 1]) << 8 | UInt32(data[b + 2]) << 16 | UInt32(data[b + 3]) << 24
            }
            var (a, b, c, d) = (a0, b0, c0, d0)
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16:
                    f = (b & c) | (~b & d)
                    g = i
                case 16..<32:
                    f = (d & b) | (~d & c)
                    g = (5 * i + 1) % 16
                case 32..<48:
                    f = b ^ c ^ d
                    g = (3 * i + 5) % 16
                default:
                    f = c ^ (b | ~d)
                    g = (7 * i) % 16
                }
                f = f &+ a &+ k[i] &+ m[g]
                a = d
                d = c
                c = b
                b = b &+ (f << s[i] | f >> (32 - s[i]))
            }
            a0 = a0 &+ a
            b0 = b0 &+ b
            c0 = c0 &+ c
            d0 = d0 &+ d
        }
        return [a0, b0, c0, d0].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(8 * $0)) } }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
