import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import Logging
import SelfTelemetry
import Synchronization
import TestSupport
import Testing

@testable import Gateway

/// The table is open: a component type the document decoder and the graph have never heard of works once its
/// factory is in the table, with its own section decoding, signal checks and wiring, and nothing else.
@Suite struct ComponentTableTests {
    /// `inject`: a receiver whose pipeline heads the test reaches through `heads`.
    struct InjectReceiverFactory: ReceiverFactory {
        struct Config: ComponentConfig {}
        let heads: Heads
        var types: [String] { ["inject"] }
        func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig { Config() }
        func build(_ config: any ComponentConfig, _ context: ReceiverContext) throws {
            heads.set(traces: context.traces, metrics: context.metrics)
        }
    }

    final class Heads: Sendable {
        private let state = Mutex<((any Consumer<Traces>)?, (any Consumer<Metrics>)?)>((nil, nil))
        func set(traces: (any Consumer<Traces>)?, metrics: (any Consumer<Metrics>)?) {
            state.withLock { $0 = (traces ?? $0.0, metrics ?? $0.1) }
        }
        var traces: (any Consumer<Traces>)? { state.withLock { $0.0 } }
        var metrics: (any Consumer<Metrics>)? { state.withLock { $0.1 } }
    }

    /// `capture`: an exporter of traces only, with one required key.
    struct CaptureExporterFactory: ExporterFactory {
        struct Config: ComponentConfig, Equatable {
            var label: String
            func signalProblem(_ signal: Signal) -> String? { signal == .traces ? nil : "captures traces only" }
        }
        let sink: RecordingConsumer<Traces>
        var types: [String] { ["capture"] }
        func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
            let label = reader.string("label", default: "")
            if label.isEmpty { reader.report("label", "required") }
            return Config(label: label)
        }
        func build<Data: TelemetryData>(
            _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
        ) throws -> any Consumer<Data> {
            guard let consumer = sink as? any Consumer<Data> else { throw ComponentBuildError("traces only") }
            return consumer
        }
    }

    /// `spancount`: a connector from metrics pipelines to traces pipelines (the other way round from
    /// spanmetrics), turning each metrics request into one span.
    struct SpanCountConnectorFactory: ConnectorFactory {
        struct Config: ComponentConfig {}
        var types: [String] { ["spancount"] }
        var signals: (from: Signal, to: Signal) { (from: .metrics, to: .traces) }
        func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig { Config() }
        func build<From: TelemetryData, To: TelemetryData>(
            _ config: any ComponentConfig, next: any Consumer<To>, as signal: From.Type, _ context: BuildContext
        ) throws -> any Consumer<From> {
            guard let traces = next as? any Consumer<Traces>,
                let input = SpanCount(next: traces) as? any Consumer<From>
            else { throw ComponentBuildError("metrics to traces only") }
            return input
        }
    }

    struct SpanCount: Consumer {
        let next: any Consumer<Traces>
        func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult {
            let span = Span(
                traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: 2), name: "metrics request")
            return try next.consume(Traces(resourceSpans: [ResourceSpans(scopeSpans: [ScopeSpans(spans: [span])])]))
        }
    }

    static func table(heads: Heads, sink: RecordingConsumer<Traces>) -> ComponentTable {
        var table = Components.table
        let extra = ComponentTable(
            receivers: [InjectReceiverFactory(heads: heads)], exporters: [CaptureExporterFactory(sink: sink)],
            connectors: [SpanCountConnectorFactory()])
        table.receivers.merge(extra.receivers) { $1 }
        table.exporters.merge(extra.exporters) { $1 }
        table.connectors.merge(extra.connectors) { $1 }
        return table
    }

    static let yaml = """
        receivers:
          inject: {}
        processors:
          batch: {timeout: 1s}
        exporters:
          capture: {label: test}
        connectors:
          spancount: {}
        service:
          pipelines:
            metrics:
              receivers: [inject]
              exporters: [spancount]
            traces:
              receivers: [inject, spancount]
              exporters: [capture]
        """

    @Test func aTypeOutsideTheTableIsUnknownAndInsideItIsDecodedByItsFactory() throws {
        #expect(
            problems(Self.yaml).contains(#"receivers.inject: unknown type "inject""#))
        let table = Self.table(heads: Heads(), sink: RecordingConsumer())
        let config = try GatewayConfiguration.parse(yaml: Self.yaml, environment: [:], components: table)
        #expect(
            config.exporters[ComponentID(type: "capture")] as? CaptureExporterFactory.Config
                == CaptureExporterFactory.Config(label: "test"))
        do {
            _ = try GatewayConfiguration.parse(
                yaml: Self.yaml.replacing("{label: test}", with: "{lable: test}"),
                environment: [:], components: table)
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.contains("exporters.capture.label: required"))
            #expect(error.problems.contains("exporters.capture.lable: unknown key"))
        }
    }

    @Test func itsSignalCheckIsTheDocumentsToo() throws {
        let table = Self.table(heads: Heads(), sink: RecordingConsumer())
        let yaml = Self.yaml + "\n    logs:\n      receivers: [inject]\n      exporters: [capture]\n"
        do {
            _ = try GatewayConfiguration.parse(yaml: yaml, environment: [:], components: table)
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.contains { $0.contains("capture") && $0.contains("captures traces only") })
        }
    }

    @Test func aConnectorTheOtherWayRoundIsBuiltAfterItsTargetPipelines() throws {
        let heads = Heads()
        let sink = RecordingConsumer<Traces>()
        let table = Self.table(heads: heads, sink: sink)
        let config = try GatewayConfiguration.parse(yaml: Self.yaml, environment: [:], components: table)
        let order = try PipelineGraph.signalOrder(config, table)
        #expect(order.firstIndex(of: .traces)! < order.firstIndex(of: .metrics)!)
        _ = try PipelineGraph.build(
            config, components: table, registry: TelemetryRegistry(), logger: Logger(label: "t"))
        let metrics = try #require(heads.metrics)
        try metrics.consume(Metrics(resourceMetrics: []))
        #expect(sink.received.map(\.spanCount) == [1])
    }
}
