import GatewayCore
import PrometheusTranslation
import Testing

@Suite struct PrometheusMetricTypeTests {
    @Test func exposedTypeFollowsTheOTLPKind() {
        #expect(PrometheusMetricType(.gauge([])) == .gauge)
        #expect(
            PrometheusMetricType(.sum(Sum(dataPoints: [], temporality: .cumulative, isMonotonic: true))) == .counter)
        #expect(PrometheusMetricType(.sum(Sum(dataPoints: [], temporality: .delta, isMonotonic: true))) == .counter)
        #expect(PrometheusMetricType(.sum(Sum(dataPoints: [], temporality: .cumulative, isMonotonic: false))) == .gauge)
        #expect(PrometheusMetricType(.histogram(Histogram(dataPoints: [], temporality: .cumulative))) == .histogram)
        #expect(
            PrometheusMetricType(.exponentialHistogram(ExponentialHistogram(dataPoints: [], temporality: .cumulative)))
                == .histogram)
        #expect(PrometheusMetricType(.summary([])) == .summary)
        #expect(PrometheusMetricType(.empty) == .unknown)
    }
}
