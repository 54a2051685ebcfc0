/// Formats a float as Go's `strconv.FormatFloat(v, 'f', -1, 64)` does, which Prometheus uses for `le` and
/// `quantile` label values: shortest round-tripping digits, no exponent, `+Inf`/`-Inf`/`NaN`.
public func prometheusFloatLabel(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
    if v == v.rounded(.towardZero), abs(v) < 1e15 { return String(Int64(v)) }
    let text = "\(v)"  // Swift prints the shortest round-tripping digits, maybe with an exponent.
    guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
    let mantissa = text[..<e]
    guard let exponent = Int(text[text.index(after: e)...]) else { return text }
    let negative = mantissa.hasPrefix("-")
    var digits = mantissa.filter { $0.isNumber }
    let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) - (negative ? 1 : 0) } ?? digits.count
    var position = point + exponent
    if position <= 0 {
        digits = String(repeating: "0", count: -position + 1) + digits
        position = 1
    } else if position > digits.count {
        digits += String(repeating: "0", count: position - digits.count)
    }
    var integer = String(digits.prefix(position))
    var fraction = String(digits.dropFirst(position))
    while fraction.hasSuffix("0") { fraction.removeLast() }
    if integer.isEmpty { integer = "0" }
    return (negative ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
}
