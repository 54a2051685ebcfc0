import GatewayCore
import OTTL
import Testing

@Suite struct OTTLConditionTests {
    static let span = OTTLSpan(
        span: Span(
            traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: 1), name: "GET /healthz", kind: .server,
            startTimeUnixNano: 1_000_000_000, endTimeUnixNano: 1_250_000_000,
            attributes: ["http.route": .string("/healthz"), "http.status_code": .int(200), "retry": .bool(true)],
            status: SpanStatus(code: .error, message: "boom")),
        resource: Resource(attributes: ["service.name": .string("api"), "host.name": .string("localhost")]),
        scope: InstrumentationScope(name: "io.opentelemetry.http", version: "1.2"))

    static func holds(_ text: String, _ item: some OTTLItem = span) throws -> Bool {
        try OTTLCondition.parse(text).evaluate(item)
    }

    @Test func pathsComparisonsAndEnums() throws {
        #expect(try Self.holds(#"name == "GET /healthz""#))
        #expect(try Self.holds(#"attributes["http.route"] == "/healthz""#))
        #expect(try Self.holds(#"attributes["http.status_code"] >= 200 and attributes["http.status_code"] < 300"#))
        #expect(try Self.holds(#"resource.attributes["service.name"] != "web""#))
        #expect(try Self.holds("kind == SPAN_KIND_SERVER"))
        #expect(try Self.holds("status.code == STATUS_CODE_ERROR"))
        #expect(try Self.holds(#"instrumentation_scope.name == "io.opentelemetry.http""#))
        #expect(try Self.holds("attributes[\"retry\"] == true"))
        #expect(try Self.holds("attributes[\"retry\"]"))
        #expect(try !Self.holds("kind == SPAN_KIND_CLIENT"))
    }

    @Test func nilDurationsAndMixedTypes() throws {
        #expect(try Self.holds(#"attributes["missing"] == nil"#))
        #expect(try !Self.holds(#"attributes["http.route"] == nil"#))
        // Span duration, 250 ms, in nanoseconds.
        #expect(try Self.holds("end_time_unix_nano - start_time_unix_nano > 200000000"))
        #expect(try !Self.holds("end_time_unix_nano - start_time_unix_nano > 300000000"))
        #expect(try Self.holds(#"attributes["http.status_code"] == 200.0"#))
        // Different kinds never compare equal, and are not ordered.
        #expect(try !Self.holds(#"attributes["http.status_code"] == "200""#))
        #expect(try Self.holds(#"attributes["http.status_code"] != "200""#))
        #expect(try !Self.holds(#"name > 3"#))
        // Durations as the Collector's docs write them, and paths with their context's prefix.
        #expect(try Self.holds(#"end_time - start_time > Duration("200ms")"#))
        #expect(try !Self.holds(#"end_time - start_time > Duration("1s")"#))
        #expect(try Self.holds(#"span.name == "GET /healthz" and span.attributes["retry"] == true"#))
    }

    @Test func booleanOperatorsAndFunctions() throws {
        #expect(try Self.holds(#"not (name == "x") and (kind == SPAN_KIND_CLIENT or IsMatch(name, "^GET "))"#))
        #expect(try !Self.holds(#"not IsMatch(name, "health")"#))
        #expect(try Self.holds(#"IsMatch(attributes["http.status_code"], "^2")"#))
        #expect(try Self.holds(#"name == "a" or name == "b" or name == "GET /healthz""#))
        // and binds tighter than or.
        #expect(try Self.holds(#"name == "GET /healthz" or name == "a" and name == "b""#))
    }

    @Test func logsAndSeverities() throws {
        let record = OTTLLogRecord(
            record: LogRecord(severityNumber: 13, severityText: "WARN", body: .string("password=hunter2")),
            resource: Resource(), scope: InstrumentationScope())
        #expect(try Self.holds("severity_number >= SEVERITY_NUMBER_WARN", record))
        #expect(try !Self.holds("severity_number < SEVERITY_NUMBER_WARN", record))
        #expect(try Self.holds(#"IsMatch(body, ".*password.*")"#, record))
    }

    @Test func metricsAndDataPointFunctions() throws {
        let metric = OTTLMetric(
            metric: Metric(
                name: "vllm:num_requests_running",
                data: .gauge([
                    NumberDataPoint(attributes: ["model_name": .string("m")], timeUnixNano: 1, value: .int(3))
                ])),
            resource: Resource(), scope: InstrumentationScope())
        #expect(try Self.holds("type == METRIC_DATA_TYPE_GAUGE", metric))
        #expect(try Self.holds(#"HasAttrKeyOnDatapoint("model_name")"#, metric))
        #expect(try Self.holds(#"HasAttrOnDatapoint("model_name", "m")"#, metric))
        #expect(try !Self.holds(#"HasAttrOnDatapoint("model_name", "x")"#, metric))
        let point = OTTLDataPoint(
            attributes: ["model_name": .string("m")], fields: ["value_int": .int(3)], metric: metric)
        #expect(try Self.holds(#"metric.name == "vllm:num_requests_running" and value_int > 2"#, point))
    }

    @Test func problemsSayWhere() {
        func error(_ text: String) -> String {
            do {
                _ = try OTTLCondition.parse(text)
                return ""
            } catch { return error.description }
        }
        #expect(error(#"name == "x"#) == "unterminated string at column 9")
        #expect(error("name ==") == "expected a value, got the end at column 8")
        #expect(error(#"name == "a" and"#) == "expected a value, got the end at column 16")
        #expect(error("kind == SPAN_KIND_WRONG") == "unknown enum SPAN_KIND_WRONG at column 9")
        #expect(error(#"Concat(name, "x") == "y""#).hasPrefix("unsupported function \"Concat\""))
        #expect(error("(name == 1") == "expected \")\", got the end at column 11")
        #expect(error("name == 1 1") == "unexpected 1 at column 11")
        #expect(error(#"IsMatch(name, "(")"#).hasPrefix("invalid regular expression \"(\""))
        #expect(
            error(String(repeating: "(", count: 200) + "true" + String(repeating: ")", count: 200)).contains(
                "nested deeper"))
    }
}
