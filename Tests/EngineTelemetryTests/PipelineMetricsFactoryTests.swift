import CoreMetrics
import GatewayCore
import Metrics
import Testing

@testable import EngineTelemetry

@Suite struct PipelineMetricsFactoryTests {
    static let resource = Resource(attributes: ["service.name": .string("engine-test")])

    static func factory() -> PipelineMetricsFactory {
        PipelineMetricsFactory(
            resource: resource,
            buckets: { $0 == "latency_ms" ? [10, 1, 100] : nil },
            units: { ["latency_ms": "ms", "requests": "{request}", "bytes": "By", "step": "ms"][$0] },
            descriptions: { $0 == "requests" ? "Requests served." : nil },
            startTimeUnixNano: 1_000
        )
    }

    @Test func countersAreMonotonicCumulativeSumsWithDimensionsAsAttributes() throws {
        let factory = Self.factory()
        Counter(label: "requests", dimensions: [("model", "a")], factory: factory).increment(by: 3)
        Counter(label: "requests", dimensions: [("model", "a")], factory: factory).increment()
        Counter(label: "requests", dimensions: [("model", "b")], factory: factory).increment(by: 2)
        FloatingPointCounter(label: "seconds", factory: factory).increment(by: 1.5)
        FloatingPointCounter(label: "seconds", factory: factory).increment(by: 0.25)

        let metrics = factory.collect(timeUnixNano: 5_000)
        #expect(metrics.resourceMetrics.count == 1)
        #expect(metrics.resourceMetrics[0].resource == Self.resource)
        #expect(metrics.resourceMetrics[0].scopeMetrics[0].scope.name == "otlp-gateway/engine")
        #expect(metrics.resourceMetrics[0].scopeMetrics[0].metrics.map(\.name) == ["requests", "seconds"])

        let requests = try #require(metrics.metric(named: "requests"))
        #expect(requests.unit == "{request}")
        #expect(requests.description == "Requests served.")
        let sum = try #require(requests.data.sum)
        #expect(sum.isMonotonic)
        #expect(sum.temporality == .cumulative)
        #expect(sum.dataPoints.map(\.attributes) == [["model": .string("a")], ["model": .string("b")]])
        #expect(sum.dataPoints.map(\.value) == [.int(4), .int(2)])
        #expect(sum.dataPoints.allSatisfy { $0.startTimeUnixNano == 1_000 && $0.timeUnixNano == 5_000 })

        let seconds = try #require(metrics.metric(named: "seconds")?.data.sum)
        #expect(seconds.dataPoints.map(\.value) == [.double(1.75)])

        // Cumulative: a second collection still holds everything.
        Counter(label: "requests", dimensions: [("model", "b")], factory: factory).increment()
        let again = try #require(factory.collect(timeUnixNano: 6_000).metric(named: "requests")?.data.sum)
        #expect(again.dataPoints.map(\.value) == [.int(4), .int(3)])
    }

    @Test func gaugesKeepTheLastValue() throws {
        let factory = Self.factory()
        let gauge = Gauge(label: "bytes", dimensions: [("pool", "kv")], factory: factory)
        gauge.record(10)
        gauge.record(42)
        Recorder(label: "ratio", aggregate: false, factory: factory).record(0.5)
        let meter = Meter(label: "inflight", factory: factory)
        meter.set(3)
        meter.increment(by: 2)
        meter.decrement(by: 1)
        // Made but never set: no point.
        _ = Gauge(label: "silent", factory: factory)

        let metrics = factory.collect(timeUnixNano: 2_000)
        let bytes = try #require(metrics.metric(named: "bytes"))
        #expect(bytes.unit == "By")
        #expect(bytes.data.gaugePoints?.map(\.value) == [.int(42)])
        #expect(bytes.data.gaugePoints?.first?.attributes == ["pool": .string("kv")])
        #expect(metrics.metric(named: "ratio")?.data.gaugePoints?.map(\.value) == [.double(0.5)])
        #expect(metrics.metric(named: "inflight")?.data.gaugePoints?.map(\.value) == [.double(4)])
        #expect(metrics.metric(named: "silent") == nil)
    }

    @Test func histogramsUseTheLookedUpBucketsAndUnit() throws {
        let factory = Self.factory()
        let recorder = Recorder(label: "latency_ms", dimensions: [("model", "m")], factory: factory)
        for value in [0.5, 1, 5, 10, 50, 100, 500] { recorder.record(value) }

        let metric = try #require(factory.collect(timeUnixNano: 3_000).metric(named: "latency_ms"))
        #expect(metric.unit == "ms")
        let histogram = try #require(metric.data.histogram)
        #expect(histogram.temporality == .cumulative)
        let point = try #require(histogram.dataPoints.first)
        #expect(point.explicitBounds == [1, 10, 100], "sorted from the lookup")
        // (-inf,1], (1,10], (10,100], (100,+inf)
        #expect(point.bucketCounts == [2, 2, 2, 1])
        #expect(point.count == 7)
        #expect(point.sum == 666.5)
        #expect(point.min == 0.5)
        #expect(point.max == 500)
        #expect(point.attributes == ["model": .string("m")])
        #expect(point.startTimeUnixNano == 1_000)
    }

    @Test func histogramsWithoutBucketsGetOTelDefaults() throws {
        let factory = Self.factory()
        Recorder(label: "other", factory: factory).record(7)
        let point = try #require(
            factory.collect(timeUnixNano: 1).metric(named: "other")?.data.histogram?.dataPoints.first)
        #expect(point.explicitBounds == [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000])
        #expect(point.bucketCounts == [0, 0, 1] + Array(repeating: 0, count: 13))
        #expect(factory.collect(timeUnixNano: 1).metric(named: "other")?.unit == "")
    }

    @Test func timersAreConvertedToTheLookedUpUnitOrSeconds() throws {
        let factory = Self.factory()
        Timer(label: "step", factory: factory).recordNanoseconds(2_500_000)
        Timer(label: "step", factory: factory).recordMilliseconds(4)
        Timer(label: "wait", factory: factory).recordNanoseconds(1_500_000_000)

        let metrics = factory.collect(timeUnixNano: 1)
        let step = try #require(metrics.metric(named: "step"))
        #expect(step.unit == "ms")
        let stepPoint = try #require(step.data.histogram?.dataPoints.first)
        #expect(stepPoint.count == 2)
        #expect(stepPoint.sum == 6.5)
        #expect(stepPoint.min == 2.5)
        #expect(stepPoint.max == 4)

        let wait = try #require(metrics.metric(named: "wait"))
        #expect(wait.unit == "s")
        #expect(wait.data.histogram?.dataPoints.first?.sum == 1.5)
    }

    @Test func handlesAreCachedPerLabelAndDimensions() {
        let factory = Self.factory()
        let a = factory.makeCounter(label: "c", dimensions: [("x", "1"), ("y", "2")])
        let b = factory.makeCounter(label: "c", dimensions: [("y", "2"), ("x", "1")])
        let c = factory.makeCounter(label: "c", dimensions: [("x", "2"), ("y", "2")])
        #expect(a === b, "dimension order does not matter")
        #expect(a !== c)
        let h1 = factory.makeRecorder(label: "h", dimensions: [], aggregate: true)
        let h2 = factory.makeRecorder(label: "h", dimensions: [], aggregate: true)
        let g = factory.makeRecorder(label: "h", dimensions: [], aggregate: false)
        #expect(h1 === h2)
        #expect(h1 !== g, "a gauge and a histogram of one label are different series")
        #expect(factory.makeTimer(label: "t", dimensions: []) === factory.makeTimer(label: "t", dimensions: []))

        factory.destroyCounter(a)
        #expect(factory.makeCounter(label: "c", dimensions: [("x", "1"), ("y", "2")]) !== a, "destroyed handles go")
    }

    @Test func concurrentIncrementsAreAllCounted() async throws {
        let factory = Self.factory()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let counter = Counter(label: "hits", factory: factory)
                    let histogram = Recorder(label: "latency_ms", factory: factory)
                    for _ in 0..<1_000 {
                        counter.increment()
                        histogram.record(5)
                    }
                }
            }
        }
        let metrics = factory.collect(timeUnixNano: 1)
        #expect(metrics.metric(named: "hits")?.data.sum?.dataPoints.first?.value == .int(8_000))
        #expect(metrics.metric(named: "latency_ms")?.data.histogram?.dataPoints.first?.count == 8_000)
    }
}
