import PrometheusTranslation
import Testing

/// Escaping rules for metric and label names, through the namer.
@Suite struct PrometheusNameRulesTests {
    let namer = PrometheusNamer()

    @Test func invalidCharactersBecomeSingleUnderscores() {
        #expect(
            namer.metricName("http.server/request-duration", unit: "", type: .gauge) == "http_server_request_duration")
        #expect(namer.metricName("a..b__c", unit: "", type: .gauge) == "a_b_c")
        #expect(
            namer.metricName("envoy__rule_engine_zlib_buf_error", unit: "", type: .gauge)
                == "envoy_rule_engine_zlib_buf_error")
        #expect(
            namer.metricName("\t system.filesystem.usage       ", unit: "  By\t", type: .gauge)
                == "system_filesystem_usage_bytes")
    }

    @Test func leadingAndTrailingUnderscoresAreTrimmed() {
        #expect(namer.metricName("_leading.trailing_", unit: "", type: .gauge) == "leading_trailing")
        #expect(namer.metricName("__name", unit: "", type: .counter) == "name_total")
    }

    @Test func leadingDigitGetsAnUnderscore() {
        #expect(namer.metricName("2xx.responses", unit: "", type: .counter) == "_2xx_responses_total")
        #expect(namer.metricName("3.14 digits", unit: "", type: .gauge) == "_3_14_digits")
    }

    @Test func colonsAreKept() {
        #expect(namer.metricName("job:requests:rate5m", unit: "", type: .gauge) == "job:requests:rate5m")
        #expect(namer.metricName(":foo::bar", unit: "", type: .counter) == ":foo::bar_total")
    }

    @Test func utf8IsEscapedPerCharacter() {
        #expect(namer.metricName("température", unit: "Cel", type: .gauge) == "temp_rature_celsius")
        #expect(
            namer.metricName("metric_with_字符_foreign_characters", unit: "", type: .counter)
                == "metric_with_foreign_characters_total")
        #expect(namer.metricName("请求.count", unit: "", type: .counter) == "count_total")
    }

    @Test func namesThatEscapeToNothingAreRejected() {
        #expect(namer.metricName("请求", unit: "", type: .gauge) == "")
        #expect(namer.metricName("@#$%", unit: "", type: .gauge) == "")
        #expect(namer.metricName("", unit: "", type: .gauge) == "")
        // Only the suffix is left, which Prometheus accepts.
        #expect(namer.metricName("请求", unit: "", type: .counter) == "total")
    }

    @Test func labelNamesEscapeEachInvalidCharacter() {
        #expect(namer.labelName("http.method") == "http_method")
        #expect(namer.labelName("label:with:colons") == "label_with_colons")
        #expect(namer.labelName("label!with&special$chars)") == "label_with_special_chars_")
        #expect(namer.labelName("label.name__with&&special##chars") == "label_name__with__special__chars")
        #expect(namer.labelName("trailing_underscores___") == "trailing_underscores___")
        #expect(namer.labelName("LabelWithCapitalLetters") == "LabelWithCapitalLetters")
        #expect(namer.labelName("model") == "model")
    }

    @Test func labelNamePrefixes() {
        #expect(namer.labelName("123label") == "key_123label")
        #expect(namer.labelName("2xx") == "key_2xx")
        #expect(namer.labelName("_private") == "key_private")
        #expect(namer.labelName("_label_starting_with_underscore") == "key_label_starting_with_underscore")
        #expect(namer.labelName(".hidden") == "key_hidden")
        #expect(namer.labelName("__label_starting_with_2underscores") == "__label_starting_with_2underscores")
        #expect(namer.labelName("__reserved__label__name__") == "__reserved__label__name__")
        #expect(namer.labelName("_") == "key_")
    }

    @Test func labelNamesEscapeUTF8() {
        #expect(namer.labelName("température") == "temp_rature")
        #expect(namer.labelName("label_with_foreign_characters_字符") == "label_with_foreign_characters___")
        // A decomposed é is two characters to escape, as Prometheus counts them.
        #expect(namer.labelName("cafe\u{301}") == "cafe_")
    }

    @Test func labelNamesThatAreOnlyUnderscoresAreRejected() {
        #expect(namer.labelName("请求") == "")
        #expect(namer.labelName("ようこそ") == "")
        #expect(namer.labelName("__") == "")
        #expect(namer.labelName("") == "")
    }
}
