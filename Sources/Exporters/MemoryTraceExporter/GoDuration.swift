/// Go's `time.ParseDuration` syntax, which Tempo's `minDuration`/`maxDuration` use: an optional sign, then one
/// or more decimal numbers each with a unit (`ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`), as in "300ms", "1.5h",
/// "2h45m" or "-1.5s"; "0" alone needs no unit. Fractions below a nanosecond are truncated.
enum GoDuration {
    /// The duration, or nil when `text` is not in the syntax or overflows 64-bit nanoseconds.
    static func parse(_ text: some StringProtocol) -> Duration? {
        let s = Array(text.utf8)
        var i = 0
        var negative = false
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        if s.count - i == 1, s[i] == UInt8(ascii: "0") { return .zero }
        guard i < s.count else { return nil }
        let limit = UInt64(Int64.max) + (negative ? 1 : 0)
        var total: UInt64 = 0
        while i < s.count {
            // The integer part.
            var whole: UInt64 = 0
            let wholeStart = i
            while i < s.count, let digit = digit(s[i]) {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(digit)
                guard !o1, !o2, next <= limit else { return nil }
                whole = next
                i += 1
            }
            let hasWhole = i > wholeStart
            // The fraction: digits past what a UInt64 holds are ignored, as Go does.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var hasFraction = false
            if i < s.count, s[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                var overflowed = false
                while i < s.count, let digit = digit(s[i]) {
                    if !overflowed {
                        if fraction > (UInt64.max - 9) / 10 {
                            overflowed = true
                        } else {
                            fraction = fraction * 10 + digit
                            scale *= 10
                        }
                    }
                    i += 1
                }
                hasFraction = i > fractionStart
            }
            // "1.s" and ".5s" are numbers, "." and "s" are not.
            guard hasWhole || hasFraction else { return nil }
            // The unit.
            let unitStart = i
            while i < s.count, s[i] != UInt8(ascii: "."), digit(s[i]) == nil { i += 1 }
            guard let unit = unitNanos(s[unitStart..<i]) else { return nil }
            let (scaled, o1) = whole.multipliedReportingOverflow(by: unit)
            guard !o1, scaled <= limit else { return nil }
            var value = scaled
            if fraction > 0 {
                let (sum, o2) = value.addingReportingOverflow(UInt64(Double(fraction) * (Double(unit) / scale)))
                guard !o2, sum <= limit else { return nil }
                value = sum
            }
            let (sum, o3) = total.addingReportingOverflow(value)
            guard !o3, sum <= limit else { return nil }
            total = sum
        }
        if negative {
            return total == UInt64(Int64.max) + 1 ? .nanoseconds(Int64.min) : .nanoseconds(-Int64(total))
        }
        return .nanoseconds(Int64(total))
    }

    private static func digit(_ c: UInt8) -> UInt64? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? UInt64(c - UInt8(ascii: "0")) : nil
    }

    private static func unitNanos(_ unit: ArraySlice<UInt8>) -> UInt64? {
        switch String(decoding: unit, as: UTF8.self) {
        case "ns": return 1
        case "us", "\u{00B5}s", "\u{03BC}s": return 1_000
        case "ms": return 1_000_000
        case "s": return 1_000_000_000
        case "m": return 60_000_000_000
        case "h": return 3_600_000_000_000
        default: return nil
        }
    }
}
