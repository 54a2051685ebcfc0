import GatewayCore
import Logging
import Metrics
import TestSupport
import Testing
import Tracing

@testable import EngineTelemetry

@Suite(.timeLimit(.minutes(1))) struct EngineTelemetryReceiverTests {
    static let resource = Resource(attributes: ["service.name": .string("gateway")])

    static var logger: Logger {
        var logger = Logger(label: "engine-telemetry-tests")
        logger.logLevel = .critical
        return logger
    }

    @Test func deliversMetricsAndSpansUnderTheReceiversResource() throws {
        let factory = PipelineMetricsFactory(resource: Resource())
        let tracer = PipelineTracer(resource: Resource())
        let metrics = RecordingConsumer<Metrics>()
        let traces = RecordingConsumer<Traces>()
        let receiver = EngineTelemetryReceiver(
            resource: Self.resource, metricsFactory: factory, tracer: tracer,
            metrics: metrics, traces: traces, interval: .seconds(1), logger: Self.logger
        )
        Counter(label: "c", factory: factory).increment(by: 2)
        tracer.startSpan("s", context: .topLevel).end()
        receiver.deliver()

        #expect(metrics.received.count == 1)
        #expect(metrics.received.first?.resourceMetrics.first?.resource == Self.resource)
        #expect(metrics.received.first?.metric(named: "c")?.data.sum?.dataPoints.first?.value == .int(2))
        #expect(traces.received.count == 1)
        #expect(traces.received.first?.resourceSpans.first?.resource == Self.resource)
        #expect(traces.received.first?.spans.map(\.name) == ["s"])

        // No new spans: no trace batch; metrics are cumulative and go again.
        receiver.deliver()
        #expect(traces.received.count == 1)
        #expect(metrics.received.count == 2)
    }

    @Test func refusalsAreLoggedAndDeliveryGoesOn() throws {
        let factory = PipelineMetricsFactory(resource: Resource())
        let tracer = PipelineTracer(resource: Resource())
        let metrics = RecordingConsumer<Metrics>(refusing: true)
        let traces = RecordingConsumer<Traces>(refusing: true)
        let receiver = EngineTelemetryReceiver(
            resource: Self.resource, metricsFactory: factory, tracer: tracer,
            metrics: metrics, traces: traces, interval: .seconds(1), logger: Self.logger
        )
        Counter(label: "c", factory: factory).increment()
        tracer.startSpan("lost", context: .topLevel).end()
        receiver.deliver()
        #expect(metrics.received.isEmpty)
        #expect(tracer.bufferedSpanCount == 0, "refused spans are not kept")

        metrics.setRefusing(false)
        traces.setRefusing(false)
        Counter(label: "c", factory: factory).increment()
        tracer.startSpan("kept", context: .topLevel).end()
        receiver.deliver()
        #expect(metrics.received.first?.metric(named: "c")?.data.sum?.dataPoints.first?.value == .int(2))
        #expect(traces.received.first?.spans.map(\.name) == ["kept"])
    }

    @Test func runDeliversPeriodicallyAndOnceMoreWhenCancelled() async throws {
        let factory = PipelineMetricsFactory(resource: Resource())
        let tracer = PipelineTracer(resource: Resource())
        let metrics = RecordingConsumer<Metrics>()
        let traces = RecordingConsumer<Traces>()
        let receiver = EngineTelemetryReceiver(
            resource: Self.resource, metricsFactory: factory, tracer: tracer,
            metrics: metrics, traces: traces, interval: .milliseconds(10), logger: Self.logger
        )
        Counter(label: "c", factory: factory).increment()
        let task = Task { await receiver.run() }
        // Wait for a periodic delivery (no timing assertion: only that one eventually happens).
        while metrics.received.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        tracer.startSpan("last", context: .topLevel).end()
        await task.value
        #expect(traces.received.flatMap(\.spans).map(\.name).contains("last"), "the final delivery after cancellation")
    }
}
