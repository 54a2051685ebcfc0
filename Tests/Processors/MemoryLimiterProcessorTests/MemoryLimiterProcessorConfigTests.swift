import ComponentKit
import ConfigTestSupport
import GatewayConfig
import MemoryLimiterProcessor
import Testing

@Suite struct MemoryLimiterProcessorConfigTests {
    private func limiter(_ body: String, id: String = "memory_limiter") throws -> MemoryLimiterProcessorConfig {
        let config = try GatewayConfiguration.parse(yaml: document(processors: id + ":\n" + body), environment: [:])
        guard let limiter = config.processors[ComponentID(parsing: id)!] as? MemoryLimiterProcessorConfig else {
            Issue.record("no memory_limiter processor")
            return MemoryLimiterProcessorConfig()
        }
        return limiter
    }

    @Test func readsTheCollectorsFixedForm() throws {
        // As in the Collector's README.
        let config = try limiter("  check_interval: 1s\n  limit_mib: 4000\n  spike_limit_mib: 800")
        #expect(config == MemoryLimiterProcessorConfig(checkInterval: .seconds(1), limitMiB: 4000, spikeLimitMiB: 800))
        #expect(config.limits(totalMemoryBytes: 0) == (hard: 4000 << 20, soft: 3200 << 20))
    }

    @Test func spikeDefaultsToAFifthOfTheLimit() throws {
        let config = try limiter("  check_interval: 5s\n  limit_mib: 500")
        #expect(config.limits(totalMemoryBytes: 0) == (hard: 500 << 20, soft: 400 << 20))
    }

    @Test func readsThePercentageForm() throws {
        let config = try limiter(
            "  check_interval: 1s\n  limit_percentage: 50\n  spike_limit_percentage: 30\n"
                + "  min_gc_interval_when_hard_limited: 10s\n  min_gc_interval_when_soft_limited: 1m",
            id: "memory_limiter/pct")
        #expect(config.limitPercentage == 50)
        #expect(config.spikeLimitPercentage == 30)
        #expect(config.minReleaseIntervalWhenHardLimited == .seconds(10))
        #expect(config.minReleaseIntervalWhenSoftLimited == .seconds(60))
        #expect(config.limits(totalMemoryBytes: 1000 << 20) == (hard: 500 << 20, soft: 200 << 20))
        // Without a spike percentage: a fifth of the limit.
        let plain = try limiter("  check_interval: 1s\n  limit_percentage: 80")
        #expect(plain.limits(totalMemoryBytes: 1000 << 20) == (hard: 800 << 20, soft: 640 << 20))
    }

    @Test func limitMiBWinsOverAPercentage() throws {
        let config = try limiter("  check_interval: 1s\n  limit_mib: 100\n  limit_percentage: 90")
        #expect(config.limits(totalMemoryBytes: 1 << 40) == (hard: 100 << 20, soft: 80 << 20))
    }

    @Test func reportsProblems() {
        #expect(
            problems(document(processors: "memory_limiter:\n  limit_mib: 100")) == [
                "processors.memory_limiter.check_interval: is required (for example 1s)"
            ])
        #expect(
            problems(document(processors: "memory_limiter:\n  check_interval: 0s\n  limit_mib: 100")) == [
                "processors.memory_limiter.check_interval: must be greater than 0"
            ])
        #expect(
            problems(document(processors: "memory_limiter:\n  check_interval: 1s")) == [
                "processors.memory_limiter: set limit_mib or limit_percentage (greater than 0)"
            ])
        #expect(
            problems(
                document(processors: "memory_limiter:\n  check_interval: 1s\n  limit_mib: 100\n  spike_limit_mib: 100"))
                == ["processors.memory_limiter.spike_limit_mib: must be smaller than limit_mib (100), got 100"])
        #expect(
            problems(
                document(
                    processors:
                        "memory_limiter/p:\n  check_interval: 1\n  limit_percentage: 101\n  ballast_size_mib: 10")
            ) == [
                "processors.memory_limiter/p.check_interval: expected a duration like 200ms or 5s, got \"1\" (a bare number has no unit)",
                "processors.memory_limiter/p.limit_percentage: must be between 0 and 100, got 101",
                "processors.memory_limiter/p: set limit_mib or limit_percentage (greater than 0)",
                "processors.memory_limiter/p.ballast_size_mib: unknown key",
            ])
        #expect(
            problems(
                document(
                    processors:
                        "memory_limiter:\n  check_interval: 1s\n  limit_percentage: 20\n  spike_limit_percentage: 25")
            ) == [
                "processors.memory_limiter.spike_limit_percentage: must be smaller than limit_percentage (20), got 25"
            ])
    }

    @Test func acceptsACollectorPipeline() {
        let yaml = document(
            processors: "memory_limiter:\n  check_interval: 1s\n  limit_mib: 512\n  spike_limit_mib: 128\nbatch:",
            service:
                "pipelines:\n  traces:\n    receivers: [otlp]\n    processors: [memory_limiter, batch]\n    exporters: [debug]"
        )
        #expect(problems(yaml) == [])
    }
}
