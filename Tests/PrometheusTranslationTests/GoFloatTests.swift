import PrometheusTranslation
import Testing

/// `prometheusBoundLabelValue` is Go's `strconv.FormatFloat(v, 'f', -1, 64)`; the JSON forms are covered through
/// `prometheusLabelValue` in PrometheusLabelValueTests.
@Suite struct GoFloatTests {
    @Test func boundsAreShortestFixedDecimals() {
        #expect(prometheusBoundLabelValue(0.005) == "0.005")
        #expect(prometheusBoundLabelValue(0.1) == "0.1")
        #expect(prometheusBoundLabelValue(2.5) == "2.5")
        #expect(prometheusBoundLabelValue(10) == "10")
        #expect(prometheusBoundLabelValue(1_000_000) == "1000000")
        #expect(prometheusBoundLabelValue(123.456) == "123.456")
        #expect(prometheusBoundLabelValue(0) == "0")
        #expect(prometheusBoundLabelValue(-0.0) == "-0")
        #expect(prometheusBoundLabelValue(-1.5) == "-1.5")
        #expect(prometheusBoundLabelValue(0.99) == "0.99")
        #expect(prometheusBoundLabelValue(0.999) == "0.999")
    }

    @Test func boundsNeverUseExponents() {
        #expect(prometheusBoundLabelValue(1e-7) == "0.0000001")
        #expect(prometheusBoundLabelValue(1.5e-10) == "0.00000000015")
        #expect(prometheusBoundLabelValue(1e21) == "1000000000000000000000")
        #expect(prometheusBoundLabelValue(1e16) == "10000000000000000")
        #expect(prometheusBoundLabelValue(123456789012345680) == "123456789012345680")
        #expect(prometheusBoundLabelValue(Double(1 << 53) + 2) == "9007199254740994")
    }

    @Test func nonFiniteBounds() {
        #expect(prometheusBoundLabelValue(.infinity) == "+Inf")
        #expect(prometheusBoundLabelValue(-.infinity) == "-Inf")
        #expect(prometheusBoundLabelValue(.nan) == "NaN")
    }
}
