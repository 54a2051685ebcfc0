import ComponentKit
import ConfigTestSupport
import GatewayConfig
import GatewayCore
import Logging
import SelfTelemetry
import Synchronization
import Testing

@testable import Gateway

/// The assembly: which stage each component's long-running part stops in, and the staged stop itself.
@Suite struct GraphStageTests {
    static let everyComponent = """
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0}
          engine: {collection_interval: 1s}
          hostmetrics: {collection_interval: 1s, scrapers: {cpu: {}}}
        processors:
          memory_limiter: {check_interval: 1s, limit_mib: 4000, spike_limit_mib: 800}
          batch: {timeout: 1s}
        exporters:
          otlp: {endpoint: 127.0.0.1:9, tls: {insecure: true}}
          prometheusremotewrite: {endpoint: "http://127.0.0.1:9/api/v1/write"}
          debug: {}
        connectors:
          spanmetrics: {}
        service:
          pipelines:
            traces:
              receivers: [otlp, engine]
              processors: [memory_limiter, batch]
              exporters: [otlp, spanmetrics]
            metrics:
              receivers: [otlp, engine, hostmetrics, spanmetrics]
              processors: [memory_limiter, batch]
              exporters: [prometheusremotewrite, debug]
        """

    @Test func partsStopInTheCollectorsOrder() throws {
        let config = try GatewayConfiguration.parse(yaml: Self.everyComponent, environment: [:])
        let graph = try PipelineGraph.build(
            config, components: Components.table, registry: TelemetryRegistry(), logger: Logger(label: "t"))
        let stages = Dictionary(grouping: graph.parts, by: \.stage).mapValues { $0.map(\.name).sorted() }
        #expect(stages[.receivers] == ["receivers.engine", "receivers.engine", "receivers.hostmetrics"])
        #expect(stages[.tracesProcessors] == ["processors.batch (traces)"])
        #expect(stages[.connectors] == ["connectors.spanmetrics"])
        #expect(stages[.processors] == ["processors.batch (metrics)", "processors.memory_limiter"])
        #expect(stages[.exporters] == ["exporters.otlp (traces)", "exporters.prometheusremotewrite"])
        // Exporters with queues drain instead of being cancelled.
        #expect(graph.parts.filter { $0.stage == .exporters }.allSatisfy { $0.drain != nil })
        #expect(graph.listeners.count == 1)
    }
}

@Suite struct StagedStopTests {
    /// Records the order in which parts stopped (cancelled or drained) and finished.
    final class Journal: Sendable {
        let events = Mutex<[String]>([])
        func add(_ e: String) { events.withLock { $0.append(e) } }
        var all: [String] { events.withLock { $0 } }
    }

    static func part(
        _ stage: StopStage, _ name: String, journal: Journal, drains: Bool = false,
        ignoresDrain: Bool = false
    ) -> Part {
        let signal = StopSignal()
        var drain: (@Sendable () -> Void)?
        if drains { drain = { @Sendable in signal.stop() } }
        let run: @Sendable () async -> Void = {
            if drains {
                // Finishes on drain(), or, when it ignores it, only when cancelled at the timeout.
                if ignoresDrain {
                    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                    journal.add("\(name) cancelled")
                } else {
                    await signal.wait()
                    journal.add("\(name) drained")
                }
            } else {
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                journal.add("\(name) stopped")
            }
        }
        return Part(stage: stage, name: name, drain: drain, run: run)
    }

    @Test func stagesStopOneAfterAnotherAndExportersDrain() async {
        let journal = Journal()
        var graph = PipelineGraph()
        graph.parts = [
            Self.part(.exporters, "exporter", journal: journal, drains: true),
            Self.part(.processors, "metrics batch", journal: journal),
            Self.part(.connectors, "spanmetrics", journal: journal),
            Self.part(.tracesProcessors, "traces batch", journal: journal),
            Self.part(.receivers, "engine", journal: journal),
        ]
        let tasks = graph.parts.map { part in (part, Task { await part.run() }) }
        await GatewayService.stop(graph: graph, tasks: tasks, drainTimeout: .seconds(10), logger: Logger(label: "t"))
        #expect(
            journal.all == [
                "engine stopped", "traces batch stopped", "spanmetrics stopped", "metrics batch stopped",
                "exporter drained",
            ])
    }

    @Test func anExporterThatDoesNotDrainIsCancelledAtTheTimeout() async {
        let journal = Journal()
        var graph = PipelineGraph()
        graph.parts = [
            Self.part(.exporters, "stuck", journal: journal, drains: true, ignoresDrain: true),
            Self.part(.exporters, "quick", journal: journal, drains: true),
        ]
        let tasks = graph.parts.map { part in (part, Task { await part.run() }) }
        let clock = ContinuousClock()
        let started = clock.now
        await GatewayService.stop(
            graph: graph, tasks: tasks, drainTimeout: .milliseconds(200), logger: Logger(label: "t"))
        #expect(clock.now - started >= .milliseconds(200))
        // Without cancellation the stop would never return (the stuck part ignores the drain); the bound only tells
        // the 200 ms timeout from a much longer one, and is far from it so a loaded machine cannot fail it (5 s did,
        // with the whole suite running on 2 cores).
        #expect(clock.now - started < .seconds(60))
        #expect(journal.all == ["quick drained", "stuck cancelled"])
    }
}
