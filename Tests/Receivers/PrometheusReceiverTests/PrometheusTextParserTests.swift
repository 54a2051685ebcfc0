import Testing

@testable import PrometheusReceiver

@Suite struct PrometheusTextParserTests {
    @Test func textFormatFamiliesAndSamples() throws {
        let text = #"""
            # HELP http_requests_total The total number of requests.\nSecond line.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000
            # A comment that is not metadata.
            # TYPE rpc_duration_seconds histogram
            rpc_duration_seconds_bucket{le="0.05"} 24054
            rpc_duration_seconds_bucket{le="+Inf"} 144320
            rpc_duration_seconds_sum 53423
            rpc_duration_seconds_count 144320
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            something_weird{problem="division by zero"} +Inf -3982045
            nan_value NaN
            """#
        let families = try PrometheusTextParser.parse(text, openMetrics: false)
        #expect(
            families.map(\.name) == [
                "http_requests_total", "rpc_duration_seconds", "msdos_file_access_time_seconds",
                "metric_without_timestamp_and_labels", "something_weird", "nan_value",
            ])
        #expect(families[0].kind == .counter)
        #expect(families[0].help == "The total number of requests.\nSecond line.")
        #expect(families[0].samples[1].value == 3)
        #expect(families[0].samples[1].timestampMs == 1_395_066_363_000)
        #expect(families[1].kind == .histogram && families[1].samples.count == 4)
        let path = try #require(families[2].samples.first?.labels.first)
        #expect(path.name == "path" && path.value == #"C:\DIR\FILE.TXT"#)
        #expect(families[2].samples[0].labels[1].value == "Cannot find file:\n\"FILE.TXT\"")
        #expect(families[3].kind == .untyped)
        #expect(families[4].samples[0].value == .infinity && families[4].samples[0].timestampMs == -3_982_045)
        #expect(families[5].samples[0].value.isNaN)
    }

    @Test func openMetricsUnitsCreatedExemplarsAndEOF() throws {
        let text = """
            # TYPE acme_http_router_request_seconds summary
            # UNIT acme_http_router_request_seconds seconds
            acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
            acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
            acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
            # TYPE foo counter
            foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
            foo_created 1520430000.123
            # EOF
            """
        let families = try PrometheusTextParser.parse(text, openMetrics: true)
        #expect(families.map(\.name) == ["acme_http_router_request_seconds", "foo"])
        #expect(families[0].unit == "seconds")
        #expect(families[1].samples.map(\.name) == ["foo_total", "foo_created"])
        #expect(families[1].samples[0].timestampMs == 1_520_879_607_789)
        #expect(throws: PrometheusTextParser.ParseError.self) {
            try PrometheusTextParser.parse("# TYPE foo counter\nfoo_total 1\n", openMetrics: true)
        }
    }

    @Test func malformedLinesFailTheScrapeWithTheLine() {
        for (text, message) in [
            ("metric{a=\"b\" 1", "line 1: expected , or } after the value of label a"),
            ("metric{a 1", "line 1: expected = after label a"),
            ("metric{a=\"b} 1", "line 1: unterminated label value"),
            ("ok 1\nmetric 1 2 3", "line 2: unexpected text after the timestamp"),
            ("metric one", "line 1: invalid value \"one\""),
            ("# TYPE m gauge\n# TYPE m counter\nm 1", "line 2: second TYPE line for m"),
            ("metric{a=\"1\",a=\"2\"} 1", "line 1: label a repeated"),
        ] {
            do {
                _ = try PrometheusTextParser.parse(text, openMetrics: false)
                Issue.record("parsed: \(text)")
            } catch {
                #expect(error.description.hasPrefix(message), "\(error)")
            }
        }
    }
}
