import PrometheusTranslation
import Testing

@Suite struct PrometheusTranslationStrategyTests {
    @Test func rawValuesAreTheConfigSpellings() {
        #expect(PrometheusTranslationStrategy.allCases == [.underscoreEscaping, .noTranslation])
        #expect(PrometheusTranslationStrategy(rawValue: "underscore_escaping") == .underscoreEscaping)
        #expect(PrometheusTranslationStrategy(rawValue: "no_translation") == .noTranslation)
        #expect(PrometheusTranslationStrategy(rawValue: "NoTranslation") == nil)
    }

    @Test func defaultNamerEscapes() {
        #expect(PrometheusNamer().strategy == .underscoreEscaping)
        #expect(PrometheusNamer().namespace == "")
    }
}
