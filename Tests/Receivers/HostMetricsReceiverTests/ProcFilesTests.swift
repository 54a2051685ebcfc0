import Testing

@testable import HostMetricsReceiver

@Suite struct ProcFilesTests {
    static let procStat = """
        cpu  2255 34 2290 22625563 6290 127 456 0 0 0
        cpu0 1132 34 1441 11311718 3675 127 438 5 0 0
        cpu1 1123 0 849 11313845 2614 0 18 0 0 0
        intr 114930548 113199788 3 0 5 263 0 4 [... lots more numbers ...]
        ctxt 1990473
        btime 1062191376
        processes 2915
        """

    @Test func perCPUTimesSkipTheAggregateLineAndConvertTicks() {
        let cpus = CPUTimes.parse(procStat: Self.procStat[...], ticksPerSecond: 100)
        #expect(cpus.map(\.cpu) == ["cpu0", "cpu1"])
        #expect(cpus[0].user == 11.32)
        #expect(cpus[0].nice == 0.34)
        #expect(cpus[0].system == 14.41)
        #expect(cpus[0].idle == 113117.18)
        #expect(cpus[0].wait == 36.75)
        #expect(cpus[0].interrupt == 1.27)
        #expect(cpus[0].softirq == 4.38)
        #expect(cpus[0].steal == 0.05)
        #expect(CPUTimes.bootTime(procStat: Self.procStat[...]) == 1_062_191_376)
    }

    @Test func memoryStatesAddUpToTheTotal() throws {
        let text = """
            MemTotal:       16384000 kB
            MemFree:         4096000 kB
            MemAvailable:    9000000 kB
            Buffers:          512000 kB
            Cached:          3072000 kB
            SwapCached:            0 kB
            SReclaimable:     256000 kB
            SUnreclaim:       128000 kB
            HugePages_Total:       0
            """
        let info = try #require(MemoryInfo.parse(text[...]))
        #expect(info.total == 16_384_000 * 1024)
        #expect(info.free == 4_096_000 * 1024)
        #expect(info.used == (16_384_000 - 4_096_000 - 512_000 - 3_072_000 - 256_000 - 128_000) * 1024)
        #expect(
            info.used + info.free + info.buffers + info.cached + info.slabReclaimable + info.slabUnreclaimable
                == info.total)
        #expect(MemoryInfo.parse("Buffers: 1 kB"[...]) == nil)
    }

    @Test func loadAverage() {
        #expect(
            LoadAverage.parse("0.52 1.25 2.00 3/812 12345\n"[...]) == LoadAverage(one: 0.52, five: 1.25, fifteen: 2))
        #expect(LoadAverage.parse("garbage"[...]) == nil)
    }

    @Test func processStatCountsFieldsAfterTheLastParenthesis() throws {
        // A command name with spaces and a parenthesis must not shift the fields.
        let line =
            "4242 (otlp gw) x) S 1 4242 4242 0 -1 4194560 1500 0 0 0 250 75 0 0 20 0 17 0 1234 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n"
        let stat = try #require(ProcessStat.parse(line[...], ticksPerSecond: 100, pageSize: 4096))
        #expect(stat.userSeconds == 2.5)
        #expect(stat.systemSeconds == 0.75)
        #expect(stat.threads == 17)
        #expect(stat.startSecondsAfterBoot == 12.34)
        #expect(stat.virtualBytes == 987_654_321)
        #expect(stat.residentBytes == 2048 * 4096)
        #expect(ProcessStat.parse("1 (short) S 1 2"[...], ticksPerSecond: 100, pageSize: 4096) == nil)
    }

    @Test func liveProcFilesParse() throws {
        // This machine's own /proc, through the same reader the receiver uses.
        let stat = try #require(ProcFileReader.read("/proc/stat"))
        #expect(!CPUTimes.parse(procStat: stat[...], ticksPerSecond: 100).isEmpty)
        #expect(ProcFileReader.read("/proc/meminfo").flatMap { MemoryInfo.parse($0[...]) }.map { $0.total > 0 } == true)
        let selfStat = try #require(ProcFileReader.read("/proc/self/stat"))
        let process = try #require(ProcessStat.parse(selfStat[...], ticksPerSecond: 100, pageSize: 4096))
        #expect(process.residentBytes > 0)
        #expect(process.threads >= 1)
        #expect((ProcFileReader.countEntries("/proc/self/fd") ?? 0) >= 3)
        #expect(ProcFileReader.read("/proc/does-not-exist") == nil)
    }
}
