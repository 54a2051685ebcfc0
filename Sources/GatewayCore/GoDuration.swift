/// Parses a duration in Go's `time.ParseDuration` syntax, as Collector configs write them.
///
/// A duration is an optional sign and a sequence of decimal numbers, each with an optional fraction and a
/// unit: `ns`, `us` (or `µs`, `μs`), `ms`, `s`, `m`, `h`. Examples: `200ms`, `1.5h`, `1m30s`, `-5s`. The
/// lone string `0` is the only number allowed without a unit. Returns nil for anything else, including
/// bare numbers like `200`, and for values beyond the range of Go's `time.Duration` (about 292 years).
public func parseGoDuration(_ text: String) -> Duration? {
    GoDuration.parse(text).map { Duration.nanoseconds($0) }
}

/// Go's algorithm, kept close to the original so the same strings are accepted with the same rounding.
enum GoDuration {
    private static let limit: UInt64 = 1 << 63

    private static let units: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000,  // micro sign
        "\u{03BC}s": 1_000,  // Greek small letter mu
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    /// The duration in nanoseconds, or nil if `text` is not a Go duration.
    static func parse(_ text: String) -> Int64? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var negative = false
        if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" {
            negative = scalars[index] == "-"
            index += 1
        }
        if scalars.count - index == 1, scalars[index] == "0" { return 0 }
        guard index < scalars.count else { return nil }

        var total: UInt64 = 0
        while index < scalars.count {
            guard scalars[index] == "." || scalars[index].isASCIIDigit else { return nil }

            // The integer part.
            var whole: UInt64 = 0
            let wholeStart = index
            while index < scalars.count, scalars[index].isASCIIDigit {
                guard whole <= limit / 10 else { return nil }
                whole = whole * 10 + UInt64(scalars[index].value - 48)
                guard whole <= limit else { return nil }
                index += 1
            }
            let hasWhole = index != wholeStart

            // The fraction: digits past what fits are ignored, as in Go.
            var fraction: UInt64 = 0
            var scale = 1.0
            var hasFraction = false
            if index < scalars.count, scalars[index] == "." {
                index += 1
                let fractionStart = index
                var overflowed = false
                while index < scalars.count, scalars[index].isASCIIDigit {
                    defer { index += 1 }
                    if overflowed { continue }
                    guard fraction <= (limit - 1) / 10 else {
                        overflowed = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(scalars[index].value - 48)
                    guard next <= limit else {
                        overflowed = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
                hasFraction = index != fractionStart
            }
            guard hasWhole || hasFraction else { return nil }

            let unitStart = index
            while index < scalars.count, scalars[index] != ".", !scalars[index].isASCIIDigit {
                index += 1
            }
            guard index > unitStart else { return nil }
            var unitText = String.UnicodeScalarView()
            unitText.append(contentsOf: scalars[unitStart..<index])
            guard let unit = units[String(unitText)] else { return nil }

            guard whole <= limit / unit else { return nil }
            whole *= unit
            if fraction > 0 {
                whole += UInt64(Double(fraction) * (Double(unit) / scale))
                guard whole <= limit else { return nil }
            }
            total += whole
            guard total <= limit else { return nil }
        }
        if negative {
            return total == limit ? Int64.min : -Int64(total)
        }
        guard total < limit else { return nil }
        return Int64(total)
    }
}

/// Writes a duration in Go syntax with its largest whole unit (`50ms`, `30s`, `5m`, `90s`), for problem
/// messages; the text parses back to the same value.
public func formatGoDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    for (unit, size) in [
        ("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000),
        ("ms", 1_000_000), ("us", 1_000),
    ]
    where nanoseconds != 0 && nanoseconds % size == 0 {
        return "\(nanoseconds / size)\(unit)"
    }
    return nanoseconds == 0 ? "0s" : "\(nanoseconds)ns"
}

extension Unicode.Scalar {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
