/// A histogram bound or summary quantile as the `le` or `quantile` label value Prometheus' OTLP translator writes:
/// the shortest decimal that reads back as `value`, never in exponent form (`0.005`, `1000000`, `+Inf`).
public func prometheusBoundLabelValue(_ value: Double) -> String {
    GoFloat.fixed(value)
}

/// Go's shortest float formatting (`strconv.FormatFloat(v, fmt, -1, 64)`), built on the shortest round-trip digits
/// that Swift's `description` also produces.
enum GoFloat {
    /// A finite double as shortest decimal digits `0.d1d2...` times `10^point`; zero has no digits.
    struct Decimal {
        var negative: Bool
        var digits: [UInt8]
        var point: Int
    }

    static func decimal(_ value: Double) -> Decimal {
        precondition(value.isFinite, "GoFloat.decimal needs a finite value, got \(value)")
        var text = Array(value.magnitude.description.utf8)
        var exponent = 0
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            exponent = Int(String(decoding: text[(e + 1)...], as: UTF8.self))!
            text.removeSubrange(e...)
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(text.count)
        var integerDigits = 0
        var seenPoint = false
        for byte in text {
            if byte == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            digits.append(byte)
            if !seenPoint { integerDigits += 1 }
        }
        var point = integerDigits + exponent
        var leading = 0
        while leading < digits.count, digits[leading] == UInt8(ascii: "0") { leading += 1 }
        digits.removeFirst(leading)
        point -= leading
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { point = 0 }
        return Decimal(negative: value.sign == .minus, digits: digits, point: point)
    }

    /// `strconv.FormatFloat(v, 'g', -1, 64)` for infinities and NaN.
    static func nonFinite(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        return value < 0 ? "-Inf" : "+Inf"
    }

    /// `strconv.FormatFloat(v, 'f', -1, 64)`.
    static func fixed(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        let d = decimal(value)
        var out: [UInt8] = []
        out.reserveCapacity(d.digits.count + 8)
        if d.negative { out.append(UInt8(ascii: "-")) }
        if d.point > 0 {
            for i in 0..<d.point { out.append(i < d.digits.count ? d.digits[i] : UInt8(ascii: "0")) }
        } else {
            out.append(UInt8(ascii: "0"))
        }
        let fraction = max(d.digits.count - d.point, 0)
        if fraction > 0 {
            out.append(UInt8(ascii: "."))
            for i in 1...fraction {
                let j = d.point + i - 1
                out.append(j >= 0 && j < d.digits.count ? d.digits[j] : UInt8(ascii: "0"))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `strconv.FormatFloat(v, 'e', -1, 64)`.
    static func exponent(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        let d = decimal(value)
        var out: [UInt8] = []
        if d.negative { out.append(UInt8(ascii: "-")) }
        out.append(d.digits.first ?? UInt8(ascii: "0"))
        if d.digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: d.digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        var exp = d.digits.isEmpty ? 0 : d.point - 1
        if exp < 0 {
            out.append(UInt8(ascii: "-"))
            exp = -exp
        } else {
            out.append(UInt8(ascii: "+"))
        }
        let expDigits = Array(String(exp).utf8)
        if expDigits.count < 2 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: expDigits)
        return String(decoding: out, as: UTF8.self)
    }

    /// A finite double as Go's `encoding/json` writes it (ES6 number formatting).
    static func jsonNumber(_ value: Double) -> String {
        let magnitude = value.magnitude
        guard magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 else { return fixed(value) }
        var text = Array(exponent(value).utf8)
        // Go writes e-07; JSON (and ES6) want e-7.
        let n = text.count
        if n >= 4, text[n - 4] == UInt8(ascii: "e"), text[n - 3] == UInt8(ascii: "-"), text[n - 2] == UInt8(ascii: "0")
        {
            text[n - 2] = text[n - 1]
            text.removeLast()
        }
        return String(decoding: text, as: UTF8.self)
    }
}
