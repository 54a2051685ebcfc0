/// A small seedable generator (SplitMix64): the same seed gives the same stream on every platform, which the
/// stdlib's `SystemRandomNumberGenerator` cannot promise.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) with 24 bits of precision.
    mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform value in [0, 1) with 53 bits of precision.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform value in (0, 1]: safe to take the logarithm of.
    mutating func nextOpenUnitDouble() -> Double {
        1.0 - nextUnitDouble()
    }

    /// A standard normal value (Box-Muller).
    mutating func nextStandardNormal() -> Double {
        let u1 = nextOpenUnitDouble()
        let u2 = nextUnitDouble()
        return (-2.0 * Math.log(u1)).squareRoot() * Math.cos(2.0 * Double.pi * u2)
    }
}
