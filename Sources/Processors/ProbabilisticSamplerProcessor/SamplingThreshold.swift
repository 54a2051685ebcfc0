/// OpenTelemetry's consistent probability sampling arithmetic (the W3C tracestate `ot` entry's `th` and `rv`):
/// 56-bit randomness compared against a 56-bit rejection threshold, an item sampled when randomness >= threshold.
enum Sampling {
    /// 2^56.
    static let maxAdjustedCount: UInt64 = 1 << 56
    static let minProbability = 1.0 / Double(maxAdjustedCount)

    /// A rejection threshold: 0 samples everything, `maxAdjustedCount` nothing.
    struct Threshold: Equatable, Comparable {
        var unsigned: UInt64

        static let always = Threshold(unsigned: 0)
        static let never = Threshold(unsigned: Sampling.maxAdjustedCount)

        static func < (a: Threshold, b: Threshold) -> Bool { a.unsigned < b.unsigned }

        func shouldSample(_ randomness: UInt64) -> Bool { randomness >= unsigned }

        var probability: Double { Double(Sampling.maxAdjustedCount - unsigned) / Double(Sampling.maxAdjustedCount) }

        /// The `th` value: 14 hex digits with trailing zeros removed; "0" for always.
        var tValue: String {
            guard unsigned != 0 else { return "0" }
            var digits = String(unsigned, radix: 16)
            digits = String(repeating: "0", count: max(0, 14 - digits.count)) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            return digits
        }

        /// Parses a `th` value (1 to 14 hex digits, trailing zeros omitted).
        init?(tValue: Substring) {
            guard (1...14).contains(tValue.count), let value = UInt64(tValue, radix: 16) else { return nil }
            unsigned = value << (4 * UInt64(14 - tValue.count))
        }

        init(unsigned: UInt64) { self.unsigned = unsigned }

        /// The threshold of `probability` rounded to `precision` significant hex digits (leading zeros of the
        /// rejection probability do not count); nil outside [2^-56, 1].
        init?(probability: Double, precision: Int) {
            guard probability >= Sampling.minProbability, probability <= 1 else { return nil }
            if probability == 1 {
                self = .always
                return
            }
            var precision = precision
            var reject = 1 - probability
            while reject * 16 < 1 {
                reject *= 16
                precision += 1
            }
            let scaled = UInt64((probability * Double(Sampling.maxAdjustedCount)).rounded())
            var rscaled = Sampling.maxAdjustedCount - scaled
            guard precision < 14 else {
                self.unsigned = rscaled
                return
            }
            let shift = UInt64(4 * (14 - precision))
            rscaled += 1 << (shift - 1)
            rscaled = (rscaled >> shift) << shift
            self.unsigned = rscaled
        }
    }

    /// The randomness of a trace id: its least significant 7 bytes.
    static func randomness(traceID bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes.suffix(7) { value = value << 8 | UInt64(byte) }
        return value
    }

    /// The `rv` value: 14 hex digits.
    static func rValue(_ randomness: UInt64) -> String {
        let digits = String(randomness, radix: 16)
        return String(repeating: "0", count: max(0, 14 - digits.count)) + digits
    }

    /// FNV-1a (32-bit) of the seed's four little-endian bytes, then `bytes`: the Collector's `hash_seed` hash.
    static func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt32) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for i in 0..<4 {
            hash ^= (seed >> (8 * UInt32(i))) & 0xFF
            hash &*= 16_777_619
        }
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return hash
    }

    static let hashBuckets: UInt64 = 0x4000

    /// The `hash_seed` mode's randomness, composed as the Collector does so that OTel samplers downstream make the
    /// same decision: the hash's low 14 bits inverted first, then 28 bits mixed from its high bits, then the low 14
    /// bits again.
    static func hashedRandomness(_ bytes: some Sequence<UInt8>, seed: UInt32) -> UInt64 {
        let hashed32 = fnv1a(bytes, seed: seed)
        let hashed = UInt64(hashed32) & (hashBuckets - 1)
        let rprime14 = hashBuckets - 1 - hashed
        let unused18 = UInt64(hashed32 >> 18)
        let mixed28 = unused18 ^ (unused18 << 10)
        return (rprime14 << 42) | (mixed28 << 14) | hashed
    }
}

/// The `ot` entry of a W3C `tracestate`: its `th` and `rv` and any other fields, kept in order.
struct OTelTraceState {
    var threshold: Sampling.Threshold?
    var randomness: UInt64?
    var others: [Substring] = []
    /// The other list members of the tracestate (vendors' entries), in order.
    var members: [Substring] = []

    /// Parses a tracestate; nil when its `ot` entry is malformed (a bad `th` or `rv`).
    init?(_ tracestate: String) {
        for member in tracestate.split(separator: ",") {
            let trimmed = member.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("ot=") else {
                if !trimmed.isEmpty { members.append(trimmed) }
                continue
            }
            for field in trimmed.dropFirst(3).split(separator: ";") {
                if field.hasPrefix("th:") {
                    guard let th = Sampling.Threshold(tValue: field.dropFirst(3)) else { return nil }
                    threshold = th
                } else if field.hasPrefix("rv:") {
                    let text = field.dropFirst(3)
                    guard text.count == 14, let rv = UInt64(text, radix: 16) else { return nil }
                    randomness = rv
                } else {
                    others.append(field)
                }
            }
        }
    }

    /// The tracestate with the `ot` entry first (a modified member moves to the front, as W3C says).
    var serialized: String {
        var fields: [String] = []
        if let threshold { fields.append("th:" + threshold.tValue) }
        if let randomness { fields.append("rv:" + Sampling.rValue(randomness)) }
        fields += others.map(String.init)
        let ot = fields.isEmpty ? [] : ["ot=" + fields.joined(separator: ";")]
        return (ot + members.map(String.init)).joined(separator: ",")
    }
}
