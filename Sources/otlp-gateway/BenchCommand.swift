import ArgumentParser
import Benchmarks

/// `otlp-gateway bench`: in-process benchmarks of decode, aggregation, store memory and remote-write encoding
/// (`--suite pipeline`), and of the built-in inference engine (`--suite engine`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the hot paths on one core and print the figures (build with -c release).")

    @Option(help: "Seconds per throughput benchmark.") var seconds: Double = 3
    @Option(help: "Series counts for the memory benchmark, comma-separated.") var memorySeries: String =
        "100000,1000000"
    @Option(help: "Which benchmarks: pipeline, engine or all.") var suite: Suite = .all

    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case pipeline, engine, all
    }

    func run() throws {
        var options = Benchmarks.Options()
        options.seconds = seconds
        options.memorySeries = memorySeries.split(separator: ",").compactMap { Int($0) }
        if suite != .engine { print(Benchmarks.run(options)) }
        if suite != .pipeline { print(EngineBenchmarks.run()) }
    }
}
