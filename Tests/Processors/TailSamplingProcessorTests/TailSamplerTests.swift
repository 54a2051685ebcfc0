import ConfigTestSupport
import GatewayConfig
import GatewayCore
import Logging
import SelfTelemetry
import Synchronization
import Testing

@testable import TailSamplingProcessor

final class Sink: Consumer, Sendable {
    let received = Mutex<[Traces]>([])
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        received.withLock { $0.append(data) }
        return .accepted
    }

    /// Trace id -> spans received.
    var spans: [UInt64: Int] {
        received.withLock { batches in
            var out: [UInt64: Int] = [:]
            for b in batches {
                for rs in b.resourceSpans {
                    for ss in rs.scopeSpans { for s in ss.spans { out[s.traceID.low, default: 0] += 1 } }
                }
            }
            return out
        }
    }
}

final class ManualTime: Sendable {
    let nanos = Atomic<UInt64>(0)
    func advance(seconds: Double) { nanos.wrappingAdd(UInt64(seconds * 1e9), ordering: .relaxed) }
    var read: @Sendable () -> UInt64 { { [self] in nanos.load(ordering: .relaxed) } }
}

func tailConfig(_ yaml: String) throws -> TailSamplingConfig {
    let body: String = yaml.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
    let head = "receivers: {otlp: {protocols: {grpc: }}}\nprocessors:\n  tail_sampling:\n"
    let tail =
        "\nexporters: {debug: }\nservice: {pipelines: {traces: {receivers: [otlp], processors: "
        + "[tail_sampling], exporters: [debug]}}}"
    let document = try GatewayConfiguration.parse(yaml: head + body + tail, environment: [:])
    return try #require(document.processors.values.first as? TailSamplingConfig)
}

let ms: UInt64 = 1_000_000

func span(
    _ trace: UInt64, _ id: UInt64, durationMs: UInt64 = 10, status: SpanStatus.Code = .unset,
    attributes: Attributes = Attributes()
) -> Span {
    Span(
        traceID: TraceID(high: 0, low: trace), spanID: SpanID(value: id), name: "op", startTimeUnixNano: 1_000 * ms,
        endTimeUnixNano: 1_000 * ms + durationMs * ms, attributes: attributes, status: SpanStatus(code: status))
}

func batch(_ spans: [Span], service: String = "svc") -> Traces {
    Traces(resourceSpans: [
        ResourceSpans(
            resource: Resource(attributes: ["service.name": .string(service)]), scopeSpans: [ScopeSpans(spans: spans)])
    ])
}

struct Harness {
    let sink = Sink()
    let time = ManualTime()
    let registry = TelemetryRegistry()
    let sampler: TailSampler

    init(_ yaml: String) throws {
        sampler = TailSampler(
            config: try tailConfig(yaml), next: sink, name: "tail_sampling", registry: registry,
            logger: Logger(label: "t"), now: time.read)
    }
}

let policies = """
    decision_wait: 10s
    decision_cache:
      sampled_cache_size: 100
      non_sampled_cache_size: 100
    policies:
      - name: errors
        type: status_code
        status_code: {status_codes: [ERROR]}
      - name: slow
        type: latency
        latency: {threshold_ms: 500}
      - name: vip
        type: string_attribute
        string_attribute: {key: tier, values: ["gold.*"], enabled_regex_matching: true}
    """

@Suite struct TailSamplerTests {
    @Test func theSampledSetIsExactlyWhatThePoliciesSay() throws {
        let h = try Harness(policies)
        // 1: an error in its second span; 2: slow; 3: normal; 4: gold tier; 5: normal, two requests.
        _ = try h.sampler.consume(batch([span(1, 1), span(2, 2, durationMs: 800), span(3, 3), span(5, 5)]))
        _ = try h.sampler.consume(
            batch([span(1, 11, status: .error), span(4, 4, attributes: ["tier": .string("gold-eu")]), span(5, 51)]))
        h.time.advance(seconds: 9)
        h.sampler.tick()
        #expect(h.sink.spans.isEmpty)  // still within decision_wait
        h.time.advance(seconds: 1)
        h.sampler.tick()
        #expect(h.sink.spans == [1: 2, 2: 1, 4: 1])
        #expect(
            h.registry.value(
                "otelcol_processor_tail_sampling_global_count_traces_sampled_total",
                labels: ["processor": "tail_sampling", "sampled": "true"]) == 3)
        #expect(
            h.registry.value(
                "otelcol_processor_tail_sampling_count_traces_sampled_total",
                labels: ["processor": "tail_sampling", "policy": "errors", "sampled": "true"]) == 1)
    }

    @Test func lateSpansFollowTheDecision() throws {
        let h = try Harness(policies)
        _ = try h.sampler.consume(batch([span(1, 1, status: .error), span(3, 3)]))
        h.time.advance(seconds: 10)
        h.sampler.tick()
        _ = try h.sampler.consume(batch([span(1, 12), span(3, 31, status: .error)]))
        // Trace 1's late span goes on at once; trace 3 was not sampled, so its late error span is dropped.
        #expect(h.sink.spans == [1: 2])
        h.time.advance(seconds: 20)
        h.sampler.tick()
        #expect(h.sink.spans == [1: 2])
    }

    @Test func memoryStaysBoundedUnderAFloodOfNewTraces() throws {
        let h = try Harness("num_traces: 100\npolicies:\n  - {name: all, type: always_sample}")
        for i in 1...5000 { _ = try h.sampler.consume(batch([span(UInt64(i), 1)])) }
        #expect(
            h.registry.value(
                "otelcol_processor_tail_sampling_sampling_traces_on_memory", labels: ["processor": "tail_sampling"])
                == 100)
        #expect(
            h.registry.value(
                "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total",
                labels: ["processor": "tail_sampling"]) == 4900)
        // Decided early, not lost: always_sample sent them on.
        #expect(h.sink.spans.count == 4900)
        h.sampler.tick(all: true)
        #expect(h.sink.spans.count == 5000)
    }

    @Test func invertedMatchesVetoAndAndNeedsEverySubPolicy() throws {
        let h = try Harness(
            """
            decision_wait: 1s
            policies:
              - {name: all, type: always_sample}
              - name: not-health
                type: string_attribute
                string_attribute: {key: http.route, values: [/healthz], invert_match: true}
              - name: both
                type: and
                and:
                  and_sub_policy:
                    - {name: many, type: span_count, span_count: {min_spans: 2}}
                    - {name: ok, type: status_code, status_code: {status_codes: [OK]}}
            """)
        _ = try h.sampler.consume(
            batch([span(1, 1, attributes: ["http.route": .string("/healthz")]), span(2, 2)]))
        h.time.advance(seconds: 1)
        h.sampler.tick()
        #expect(h.sink.spans == [2: 1])
    }

    @Test(arguments: [
        ("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 0}}", 0),
        ("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 100}}", 50),
        ("{name: n, type: numeric_attribute, numeric_attribute: {key: n, min_value: 10, max_value: 19}}", 10),
        ("{name: b, type: boolean_attribute, boolean_attribute: {key: even, value: true}}", 25),
        ("{name: r, type: rate_limiting, rate_limiting: {spans_per_second: 7}}", 7),
        ("{name: t, type: trace_state, trace_state: {key: k, values: [v]}}", 50),
    ])
    func otherPolicyTypes(policy: String, expected: Int) throws {
        let h = try Harness("decision_wait: 1s\npolicies:\n  - " + policy)
        var spans: [Span] = []
        for i in 1...50 {
            var s = span(UInt64(i), UInt64(i), attributes: ["n": .int(Int64(i)), "even": .bool(i % 2 == 0)])
            s.traceState = "k=v"
            spans.append(s)
        }
        _ = try h.sampler.consume(batch(spans))
        h.time.advance(seconds: 1)
        h.sampler.tick()
        #expect(h.sink.spans.count == expected)
    }

    @Test func configProblemsAreNamed() {
        let found = problems(
            document(
                processors: "tail_sampling:\n  policies:\n    - {name: a, type: nope}\n    - {type: latency}\n"
                    + "    - {name: c, type: string_attribute, string_attribute: {key: k, values: ['['], "
                    + "enabled_regex_matching: true}}",
                service: "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [tail_sampling]\n"
                    + "    exporters: [debug]"))
        #expect(found.contains { $0.hasPrefix("processors.tail_sampling.policies[0].type: unknown policy type") })
        #expect(found.contains { $0.hasPrefix("processors.tail_sampling.policies[1].name: required") })
        #expect(found.contains { $0.hasPrefix("processors.tail_sampling.policies[1].latency: required") })
        #expect(found.contains { $0.hasPrefix("processors.tail_sampling.policies[2].string_attribute.values[0]") })
    }
}

/// Refuses as retryable until opened.
final class ClosedThenOpen: Consumer, Sendable {
    let open = Atomic<Bool>(false)
    let sink = Sink()
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        guard open.load(ordering: .relaxed) else { throw .retryable("full") }
        return try sink.consume(data)
    }
}

@Suite struct TailSamplerRefusalTests {
    @Test func sampledTracesRefusedAsRetryableAreSentAtALaterTick() throws {
        let next = ClosedThenOpen()
        let time = ManualTime()
        let registry = TelemetryRegistry()
        let sampler = TailSampler(
            config: try tailConfig("decision_wait: 1s\npolicies:\n  - {name: all, type: always_sample}"), next: next,
            name: "tail_sampling", registry: registry, logger: Logger(label: "t"), now: time.read)
        _ = try sampler.consume(batch([span(1, 1), span(2, 2)]))
        time.advance(seconds: 1)
        sampler.tick()
        #expect(next.sink.spans.isEmpty)
        next.open.store(true, ordering: .relaxed)
        sampler.tick()
        #expect(next.sink.spans == [1: 1, 2: 1])
        #expect(
            registry.value(
                "otelcol_processor_dropped_items_total",
                labels: ["processor": "tail_sampling", "otel_signal": "traces"])
                == 0)
    }

    @Test func atAStopWhatIsStillRefusedIsCountedAsDropped() throws {
        let next = ClosedThenOpen()
        let registry = TelemetryRegistry()
        let sampler = TailSampler(
            config: try tailConfig("policies:\n  - {name: all, type: always_sample}"), next: next,
            name: "tail_sampling", registry: registry, logger: Logger(label: "t"), now: ManualTime().read)
        _ = try sampler.consume(batch([span(1, 1)]))
        sampler.tick(all: true)
        #expect(
            registry.value(
                "otelcol_processor_dropped_items_total",
                labels: ["processor": "tail_sampling", "otel_signal": "traces"])
                == 1)
    }
}

final class MetadataSink: Consumer, Sendable {
    let batches = Mutex<[(tenant: [String], spans: Int)]>([])
    func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
        batches.withLock { $0.append((data.metadata["x-scope-orgid"], data.spanCount)) }
        return .accepted
    }
}

@Suite struct TailSamplerMetadataTests {
    @Test func eachTenantsTracesLeaveInTheirOwnBatchWithTheirMetadata() throws {
        let sink = MetadataSink()
        let time = ManualTime()
        let sampler = TailSampler(
            config: try tailConfig("decision_wait: 1s\npolicies:\n  - {name: all, type: always_sample}"), next: sink,
            name: "tail_sampling", registry: TelemetryRegistry(), logger: Logger(label: "t"), now: time.read)
        for (trace, tenant) in [(1, "a"), (2, "b"), (3, "a")] {
            var traces = batch([span(UInt64(trace), 1)])
            traces.metadata = ClientMetadata(headers: [("X-Scope-OrgID", tenant)])
            _ = try sampler.consume(traces)
        }
        time.advance(seconds: 1)
        sampler.tick()
        let batches = sink.batches.withLock { $0 }.sorted { ($0.tenant.first ?? "") < ($1.tenant.first ?? "") }
        #expect(batches.map(\.tenant) == [["a"], ["b"]])
        #expect(batches.map(\.spans) == [2, 1])
    }
}
