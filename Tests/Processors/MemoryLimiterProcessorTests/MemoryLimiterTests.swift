import Foundation
import GatewayCore
import Logging
import MemoryLimiterProcessor
import SelfTelemetry
import Synchronization
import TestSupport
import Testing

/// Memory readings the test sets by hand, and a count of release calls.
final class FakeMemory: Sendable {
    private let used = Atomic<Int>(0)
    private let released = Atomic<Int>(0)
    /// What a release brings memory down to; 0: releases free nothing.
    private let afterRelease = Atomic<Int>(0)

    func set(mib: Int) { used.store(mib << 20, ordering: .relaxed) }
    func releasesTo(mib: Int) { afterRelease.store(mib << 20, ordering: .relaxed) }
    var releases: Int { released.load(ordering: .relaxed) }

    var reader: MemoryLimiter.MemoryReader { { [self] in used.load(ordering: .relaxed) } }
    var release: MemoryLimiter.MemoryRelease {
        { [self] in
            released.add(1, ordering: .relaxed)
            let target = afterRelease.load(ordering: .relaxed)
            if target > 0 { used.store(target, ordering: .relaxed) }
        }
    }
}

@Suite struct MemoryLimiterTests {
    let registry = TelemetryRegistry()
    let memory = FakeMemory()
    let logs = CapturedLog()

    /// Hard 100 MiB, soft 80 MiB.
    func limiter(softReleaseEvery: Duration = .zero, hardReleaseEvery: Duration = .zero) -> MemoryLimiter {
        MemoryLimiter(
            name: "memory_limiter",
            settings: .init(
                checkInterval: .seconds(1), hardLimitBytes: 100 << 20, softLimitBytes: 80 << 20,
                minReleaseIntervalWhenSoftLimited: softReleaseEvery, minReleaseIntervalWhenHardLimited: hardReleaseEvery
            ),
            registry: registry, logger: logs.logger, readMemory: memory.reader, releaseMemory: memory.release)
    }

    func stateGauge() -> Double? {
        registry.value("otelcol_processor_memory_limiter_state", labels: ["processor": "memory_limiter"])
    }

    @Test func movesBetweenStatesAndLogsEachTransitionOnce() {
        let limiter = limiter()
        memory.set(mib: 50)
        #expect(limiter.check() == .normal)
        #expect(!limiter.pressure.isRefusing)
        #expect(logs.levelledMessages.isEmpty)

        memory.set(mib: 85)
        #expect(limiter.check() == .soft)
        #expect(limiter.check() == .soft)
        #expect(limiter.pressure.isRefusing)
        #expect(stateGauge() == 1)
        #expect(memory.releases == 0, "no release below the hard limit by default")

        memory.set(mib: 120)
        #expect(limiter.check() == .hard)
        #expect(stateGauge() == 2)
        #expect(memory.releases == 1)

        memory.set(mib: 79)
        #expect(limiter.check() == .normal)
        #expect(limiter.check() == .normal)
        #expect(!limiter.pressure.isRefusing)
        #expect(stateGauge() == 0)
        #expect(
            logs.levelledMessages == [
                "warning: memory usage is above soft limit, refusing data",
                "warning: memory usage is above hard limit, refusing data and releasing memory",
                "info: memory usage back within limits, accepting data again",
            ])
    }

    @Test func releaseAboveTheHardLimitIsMeasuredAgain() {
        let limiter = limiter()
        memory.set(mib: 150)
        memory.releasesTo(mib: 60)
        // The release brought memory under both limits: no refusal at all.
        #expect(limiter.check() == .normal)
        #expect(memory.releases == 1)
        #expect(
            registry.value("otelcol_processor_memory_limiter_releases_total", labels: ["processor": "memory_limiter"])
                == 1)
    }

    @Test func releasesAreRateLimited() {
        let limiter = limiter(softReleaseEvery: .seconds(10), hardReleaseEvery: .seconds(5))
        let start = ContinuousClock.now
        memory.set(mib: 90)
        limiter.check(now: start)
        #expect(memory.releases == 1, "soft limited with an interval set: released")
        limiter.check(now: start + .seconds(3))
        #expect(memory.releases == 1)
        memory.set(mib: 110)
        limiter.check(now: start + .seconds(4))
        #expect(memory.releases == 1, "hard interval (5s) not yet over")
        limiter.check(now: start + .seconds(6))
        #expect(memory.releases == 2)
    }

    @Test func checksEveryIntervalOnTheClock() async {
        let limiter = limiter()
        let clock = ManualClock()
        memory.set(mib: 10)
        let task = Task { await limiter.run(clock: clock) }
        #expect(await clock.waitForSleepers())
        #expect(!limiter.pressure.isRefusing, "the first check ran at start, under the limits")
        memory.set(mib: 90)
        #expect(!limiter.pressure.isRefusing, "not measured again before the interval")
        clock.advance(by: .seconds(1))
        #expect(await clock.waitForSleepers())
        #expect(limiter.pressure.isRefusing)
        task.cancel()
        await task.value
    }

    @Test func runChecksUntilCancelled() async {
        let limiter = limiter()
        memory.set(mib: 90)
        let task = Task { await limiter.run(clock: ContinuousClock()) }
        for _ in 0..<200 where !limiter.pressure.isRefusing { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(limiter.pressure.isRefusing)
        task.cancel()
        await task.value
    }
}

@Suite struct MemoryLimiterProcessorTests {
    let registry = TelemetryRegistry()
    let memory = FakeMemory()

    final class Sink: Consumer, Sendable {
        let spans = Atomic<Int>(0)
        func consume(_ data: Traces) throws(PipelineError) -> ConsumeResult {
            spans.add(data.spanCount, ordering: .relaxed)
            return .accepted
        }
    }

    func spans(_ n: Int) -> Traces {
        Traces(resourceSpans: [
            ResourceSpans(scopeSpans: [
                ScopeSpans(
                    spans: (0..<n).map {
                        Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(value: UInt64($0 + 1)), name: "s")
                    })
            ])
        ])
    }

    @Test func passesDataBelowTheSoftLimitAndRefusesAboveWithARetryableError() throws {
        let limiter = MemoryLimiter(
            name: "memory_limiter/x",
            settings: .init(checkInterval: .milliseconds(1500), hardLimitBytes: 100 << 20, softLimitBytes: 80 << 20),
            registry: registry, logger: Logger(label: "test"), readMemory: memory.reader, releaseMemory: memory.release)
        let sink = Sink()
        let processor = MemoryLimiterProcessor<Traces>(limiter: limiter, next: sink, registry: registry)
        memory.set(mib: 10)
        limiter.check()
        try processor.consume(spans(3))
        #expect(sink.spans.load(ordering: .relaxed) == 3)

        memory.set(mib: 81)
        limiter.check()
        #expect(throws: PipelineError.self) { try processor.consume(spans(4)) }
        do {
            try processor.consume(spans(5))
        } catch {
            #expect(error.isRetryable)
            #expect(error.message == "data refused due to high memory usage")
            #expect(error.retryAfterSeconds == 2, "the check interval, rounded up")
        }
        #expect(sink.spans.load(ordering: .relaxed) == 3)
        let labels = ["processor": "memory_limiter/x"]
        #expect(registry.value("otelcol_processor_accepted_spans_total", labels: labels) == 3)
        #expect(registry.value("otelcol_processor_refused_spans_total", labels: labels) == 9)
    }
}

@Suite struct SystemMemoryTests {
    @Test func readsTheCgroupLimitElseMemTotal() throws {
        let root = NSTemporaryDirectory() + "memory-limiter-test-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for dir in ["/cg", "/proc"] {
            try FileManager.default.createDirectory(atPath: root + dir, withIntermediateDirectories: true)
        }
        func write(_ path: String, _ text: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(root + "/proc/meminfo", "MemTotal:       16384 kB\nMemFree:        1000 kB\n")
        try write(root + "/cg/memory.max", "max\n")
        #expect(SystemMemory.totalBytes(cgroupRoot: root + "/cg", procRoot: root + "/proc") == 16384 << 10)
        try write(root + "/cg/memory.max", "268435456\n")
        #expect(SystemMemory.totalBytes(cgroupRoot: root + "/cg", procRoot: root + "/proc") == 256 << 20)
        #expect(SystemMemory.totalBytes(cgroupRoot: root + "/none", procRoot: root + "/none") == nil)
    }
}
