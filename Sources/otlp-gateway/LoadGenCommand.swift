public import ArgumentParser
import ComponentKit
import GatewayConfig
import GatewayCore
import LoadGen

extension LoadGenerator.Transport: ExpressibleByArgument {}

/// `otlp-gateway loadgen`: synthetic OTLP load through our own gRPC (nghttp2) and HTTP clients.
struct LoadGenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Send synthetic OTLP traces or metrics and report requests/s, items/s, errors and latency.")

    @Option(help: "Transport: grpc or http.") var `protocol`: LoadGenerator.Transport = .grpc
    @Option(help: "Signal: traces or metrics.") var signal: String = "traces"
    @Option(help: "How long to send, e.g. 10s or 1m.") var duration: String = "10s"
    @Option(help: "Requests per second over all workers; 0 for as fast as possible.") var rate: Double = 0
    @Option(help: "Concurrent connections, each with one request in flight.") var workers: Int = 1
    @Option(help: "Spans or data points per request.") var batch: Int = 100
    @Option(help: "host:port of the receiver (default 127.0.0.1:4317 for grpc, :4318 for http).") var endpoint: String?
    @Flag(help: "Compress requests with gzip.") var gzip = false

    func validate() throws {
        guard ["traces", "metrics"].contains(signal) else {
            throw ValidationError("--signal must be traces or metrics")
        }
        guard parseGoDuration(duration) != nil else { throw ValidationError("--duration must be a duration like 10s") }
        guard workers >= 1, batch >= 1, rate >= 0 else {
            throw ValidationError("--workers and --batch must be >= 1, --rate >= 0")
        }
        if let endpoint, parseHostPort(endpoint) == nil { throw ValidationError("--endpoint must be host:port") }
    }

    func run() async throws {
        var options = LoadGenerator.Options()
        options.transport = self.protocol
        options.signal = signal == "metrics" ? .metrics : .traces
        options.duration = parseGoDuration(duration)!
        options.rate = rate
        options.workers = workers
        options.batch = batch
        options.gzip = gzip
        let (host, port) = parseHostPort(endpoint ?? (self.protocol == .grpc ? "127.0.0.1:4317" : "127.0.0.1:4318"))!
        options.host = host
        options.port = port
        let report = try await LoadGenerator(options: options).run()
        print(report)
        if report.requests > 0, report.errors == report.requests { throw ExitCode(1) }
    }
}
