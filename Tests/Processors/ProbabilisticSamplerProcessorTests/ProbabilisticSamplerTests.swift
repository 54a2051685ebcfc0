import ConfigTestSupport
import GatewayConfig
import GatewayCore
import SelfTelemetry
import Synchronization
import Testing

@testable import ProbabilisticSamplerProcessor

final class Sink<Data: TelemetryData>: Consumer, Sendable {
    let received = Mutex<[Data]>([])
    func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        received.withLock { $0.append(data) }
        return .accepted
    }
}

func config(_ yaml: String) throws -> ProbabilisticSamplerConfig {
    let body: String = yaml.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
    let head = "receivers: {otlp: {protocols: {grpc: }}}\nprocessors:\n  probabilistic_sampler:\n"
    let tail =
        "\nexporters: {debug: }\nservice: {pipelines: {traces: {receivers: [otlp], processors: "
        + "[probabilistic_sampler], exporters: [debug]}}}"
    let document = try GatewayConfiguration.parse(yaml: head + body + tail, environment: [:])
    return try #require(document.processors.values.first as? ProbabilisticSamplerConfig)
}

/// Trace ids spread over the whole 128-bit range.
func traceID(_ i: Int) -> TraceID {
    var x = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
    x ^= x >> 31
    return TraceID(high: x &* 0xBF58_476D_1CE4_E5B9, low: (x ^ (x >> 29)) &* 0x94D0_49BB_1331_11EB)
}

func batch(_ ids: [TraceID], spansEach: Int = 2, traceState: String = "") -> Traces {
    Traces(resourceSpans: [
        ResourceSpans(scopeSpans: [
            ScopeSpans(
                spans: ids.flatMap { id in
                    (0..<spansEach).map {
                        Span(traceID: id, spanID: SpanID(value: UInt64($0 + 1)), traceState: traceState, name: "s")
                    }
                })
        ])
    ])
}

@Suite struct SamplingArithmeticTests {
    @Test func thresholdsAreEncodedAsTheSpecSays() throws {
        #expect(Sampling.Threshold(probability: 0.25, precision: 4)?.tValue == "c")
        #expect(Sampling.Threshold(probability: 1.0 / 3, precision: 4)?.tValue == "aaab")
        #expect(Sampling.Threshold(probability: 0.5, precision: 4)?.tValue == "8")
        #expect(Sampling.Threshold(probability: 1, precision: 4)?.tValue == "0")
        #expect(Sampling.Threshold(probability: 0.01, precision: 2)?.tValue == "fd")
        #expect(Sampling.Threshold(probability: 0.01, precision: 3)?.tValue == "fd7")
        #expect(Sampling.Threshold(probability: 0, precision: 4) == nil)
        #expect(Sampling.Threshold(tValue: "c")?.unsigned == 0xC0_0000_0000_0000)
        #expect(Sampling.Threshold(tValue: "123456789abcdef") == nil)
    }

    @Test func fnvHashIsTheCollectors() {
        #expect(Sampling.fnv1a([UInt8](), seed: 0) == 0x4B95_F515)
        #expect(Sampling.fnv1a(Array(0..<16), seed: 22) == 0x5571_E3C3)
    }

    @Test func traceStateKeepsOtherMembersAndFields() throws {
        var state = try #require(OTelTraceState("vendor=x,ot=th:8;rv:0123456789abcd;zz:1, other=y"))
        #expect(state.threshold?.tValue == "8")
        #expect(state.randomness == 0x01_2345_6789_ABCD)
        state.threshold = Sampling.Threshold(probability: 0.25, precision: 4)
        #expect(state.serialized == "ot=th:c;rv:0123456789abcd;zz:1,vendor=x,other=y")
        #expect(OTelTraceState("ot=th:xyz") == nil)
    }
}

@Suite struct ProbabilisticSamplerTests {
    // Id 0 would be the invalid all-zero trace id.
    let ids = (1...4000).map(traceID)

    func run(_ yaml: String, _ traces: Traces) throws -> Traces {
        let sink = Sink<Traces>()
        let sampler = ProbabilisticSampler<Traces>(
            try config(yaml), next: sink, name: "probabilistic_sampler", registry: TelemetryRegistry())
        _ = try sampler.consume(traces)
        return sink.received.withLock { $0.first } ?? Traces()
    }

    func keptTraces(_ traces: Traces) -> [TraceID: Int] {
        var kept: [TraceID: Int] = [:]
        for rs in traces.resourceSpans {
            for ss in rs.scopeSpans { for s in ss.spans { kept[s.traceID, default: 0] += 1 } }
        }
        return kept
    }

    @Test(arguments: [
        "sampling_percentage: 25", "sampling_percentage: 25\nhash_seed: 22",
        "sampling_percentage: 25\nmode: equalizing",
    ])
    func keepsAboutTheShareAndWholeTraces(yaml: String) throws {
        let kept = keptTraces(try run(yaml, batch(ids)))
        #expect(kept.values.allSatisfy { $0 == 2 })
        let share = Double(kept.count) / Double(ids.count)
        #expect(share > 0.22 && share < 0.28, "\(share)")
        // The same decision every time, so every gateway of a tier agrees.
        #expect(keptTraces(try run(yaml, batch(ids))) == kept)
    }

    @Test func proportionalKeepsIDsWhoseRandomnessPassesAndWritesTheThreshold() throws {
        let out = try run("sampling_percentage: 25", batch(ids))
        for rs in out.resourceSpans {
            for ss in rs.scopeSpans {
                for span in ss.spans {
                    #expect(Sampling.randomness(traceID: span.traceID.bytes) >= 0xC0_0000_0000_0000)
                    #expect(span.traceState == "ot=th:c")
                }
            }
        }
    }

    @Test func proportionalMultipliesAnArrivingProbability() throws {
        // Arriving at 50 % (th:8), sampled again at 50 %: 25 % in all, written th:c.
        let out = try run("sampling_percentage: 50", batch(ids, traceState: "ot=th:8"))
        let kept = keptTraces(out)
        let share = Double(kept.count) / Double(ids.count)
        #expect(share > 0.22 && share < 0.28, "\(share)")
        #expect(out.resourceSpans.first?.scopeSpans.first?.spans.first?.traceState == "ot=th:c")
    }

    @Test func hashSeedWritesThresholdAndRandomness() throws {
        let out = try run("sampling_percentage: 25\nhash_seed: 22", batch(ids))
        let span = try #require(out.resourceSpans.first?.scopeSpans.first?.spans.first)
        #expect(span.traceState.hasPrefix("ot=th:c;rv:"))
        // A different seed picks different traces.
        #expect(keptTraces(try run("sampling_percentage: 25\nhash_seed: 23", batch(ids))) != keptTraces(out))
    }

    @Test func samplingPriorityWinsAndZeroOrHundredPercentAreExact() throws {
        var traces = batch(Array(ids.prefix(10)))
        traces.resourceSpans[0].scopeSpans[0].spans[0].attributes.set("sampling.priority", .int(1))
        #expect(keptTraces(try run("sampling_percentage: 0", traces)).values.reduce(0, +) == 1)
        #expect(keptTraces(try run("sampling_percentage: 100", batch(ids))).count == ids.count)
        #expect(keptTraces(try run("sampling_percentage: 0", batch(ids))).isEmpty)
    }

    @Test func logsAreSampledByTraceIDOrByAnAttribute() throws {
        let records = (1...2000).map {
            LogRecord(body: .string("r\($0)"), attributes: ["id": .string("x\($0)")], traceID: traceID($0))
        }
        let logs = Logs(resourceLogs: [ResourceLogs(scopeLogs: [ScopeLogs(logRecords: records)])])
        for yaml in [
            "sampling_percentage: 30", "sampling_percentage: 30\nattribute_source: record\nfrom_attribute: id",
        ] {
            let sink = Sink<Logs>()
            let sampler = ProbabilisticSampler<Logs>(
                try config(yaml), next: sink, name: "p", registry: TelemetryRegistry())
            _ = try sampler.consume(logs)
            let kept = sink.received.withLock { $0.first?.logRecordCount ?? 0 }
            #expect(kept > 520 && kept < 680, "\(yaml): \(kept)")
            let first = sink.received.withLock { $0.first?.resourceLogs.first?.scopeLogs.first?.logRecords.first }
            #expect(first?.attributes["sampling.threshold"] != nil)
        }
    }

    @Test func configProblemsAreNamed() {
        let found = problems(
            document(
                processors: "probabilistic_sampler:\n  mode: fancy\n  sampling_precision: 20\n  attribute_source: x",
                service: "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [probabilistic_sampler]\n"
                    + "    exporters: [debug]"))
        #expect(found.contains { $0.hasPrefix("processors.probabilistic_sampler.mode: unsupported sampler mode") })
        #expect(found.contains { $0.hasPrefix("processors.probabilistic_sampler.sampling_precision") })
        #expect(found.contains { $0.hasPrefix("processors.probabilistic_sampler.attribute_source") })
    }
}

@Suite struct SamplerMetadataTests {
    @Test func theRequestsMetadataTravelsOnWithWhatIsKept() throws {
        var traces = batch((1...50).map(traceID))
        traces.metadata = ClientMetadata(headers: [("X-Scope-OrgID", "team-a")])
        let sink = Sink<Traces>()
        let sampler = ProbabilisticSampler<Traces>(
            try config("sampling_percentage: 50"), next: sink, name: "p", registry: TelemetryRegistry())
        _ = try sampler.consume(traces)
        #expect(sink.received.withLock { $0.first?.metadata["x-scope-orgid"] } == ["team-a"])
    }
}
