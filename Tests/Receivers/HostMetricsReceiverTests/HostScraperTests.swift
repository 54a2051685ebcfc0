import Foundation
import GatewayCore
import Testing

@testable import HostMetricsReceiver

@Suite struct HostScraperTests {
    static func stat(idle0: Int, user0: Int, idle1: Int, user1: Int) -> String {
        """
        cpu  0 0 0 0 0 0 0 0
        cpu0 \(user0) 0 100 \(idle0) 0 0 0 0 0 0
        cpu1 \(user1) 0 100 \(idle1) 0 0 0 0 0 0
        btime 1700000000
        """
    }

    @Test func utilizationIsTheShareOfTheLastIntervalPerState() throws {
        var scraper = HostScraper(settings: HostMetricsSettings(memory: false, load: false, process: false))
        let first = scraper.scrape(.init(procStat: Self.stat(idle0: 1000, user0: 100, idle1: 1000, user1: 100)), now: 1)
        // No interval yet: times but no utilization.
        #expect(first.metrics.metric("system.cpu.time") != nil)
        #expect(first.metrics.metric("system.cpu.utilization") == nil)

        // cpu0: +75 user, +25 idle ticks; cpu1: +0 user, +100 idle.
        let second = scraper.scrape(
            .init(procStat: Self.stat(idle0: 1025, user0: 175, idle1: 1100, user1: 100)), now: 2)
        let utilization = try #require(second.metrics.metric("system.cpu.utilization"))
        #expect(utilization.unit == "1")
        #expect(utilization.value(where: ["cpu": "cpu0", "state": "user"]) == 0.75)
        #expect(utilization.value(where: ["cpu": "cpu0", "state": "idle"]) == 0.25)
        #expect(utilization.value(where: ["cpu": "cpu1", "state": "idle"]) == 1)
        #expect(utilization.value(where: ["cpu": "cpu1", "state": "user"]) == 0)
        for cpu in ["cpu0", "cpu1"] {
            let total = utilization.points.filter { $0.attributes.first { $0.key == "cpu" }?.value == .string(cpu) }
                .map(\.value.doubleValue).reduce(0, +)
            #expect(abs(total - 1) < 1e-9)
        }
        let time = try #require(second.metrics.metric("system.cpu.time"))
        guard case .sum(let sum) = time.data else { Issue.record("system.cpu.time is not a sum"); return }
        #expect(sum.isMonotonic && sum.temporality == .cumulative)
        #expect(sum.dataPoints.allSatisfy { $0.startTimeUnixNano == 1_700_000_000 * 1_000_000_000 })
        #expect(time.unit == "s")
        #expect(second.errors.isEmpty)
    }

    @Test func unreadableSourcesAreReportedPerScraperAndTheRestIsDelivered() {
        var scraper = HostScraper(settings: HostMetricsSettings(process: false))
        let result = scraper.scrape(
            .init(procStat: nil, meminfo: "MemTotal: 1000 kB\nMemFree: 250 kB\n", loadavg: "bad"), now: 1)
        #expect(result.errors.sorted() == ["cpu", "load"])
        #expect(result.metrics.metric("system.memory.utilization")?.value(where: ["state": "free"]) == 0.25)
        #expect(result.metrics.metric("system.memory.limit")?.points.first?.value.doubleValue == 1_024_000)
    }

    @Test func disabledMetricsAreLeftOut() {
        var scraper = HostScraper(
            settings: HostMetricsSettings(
                cpu: false, memory: true, load: true, process: true,
                disabledMetrics: ["system.memory.utilization", "system.cpu.load_average.15m", "process.threads"]))
        let result = scraper.scrape(scraper.readInputs(), now: WallClock.nowUnixNano())
        let names = Set(result.metrics.allMetrics.map(\.name))
        #expect(names.contains("system.memory.usage"))
        #expect(names.contains("system.cpu.load_average.1m"))
        #expect(names.contains("process.cpu.time"))
        #expect(!names.contains("system.memory.utilization"))
        #expect(!names.contains("system.cpu.load_average.15m"))
        #expect(!names.contains("process.threads"))
    }

    @Test func processMetricsDescribeThisProcessUnderItsOwnResource() throws {
        var scraper = HostScraper(settings: HostMetricsSettings(cpu: false, memory: false, load: false, process: true))
        let result = scraper.scrape(scraper.readInputs(), now: WallClock.nowUnixNano())
        #expect(result.errors.isEmpty)
        let resource = try #require(
            result.metrics.resourceMetrics.first { rm in rm.resource.attributes.contains { $0.key == "process.pid" } })
        #expect(resource.resource.attributes.first { $0.key == "process.pid" }?.value == .int(Int64(getpid())))
        let rss = try #require(result.metrics.metric("process.memory.usage")?.points.first?.value.doubleValue)
        #expect(rss > 1_000_000)
        let cpu = try #require(result.metrics.metric("process.cpu.time"))
        #expect(cpu.value(where: ["state": "user"]).map { $0 > 0 } == true)
        #expect((result.metrics.metric("process.open_file_descriptors")?.points.first?.value.doubleValue ?? 0) >= 3)
    }
}
