internal import Compression
public import GatewayCore
internal import HTTP1Transport
internal import HTTP2Transport
internal import NIOCore
internal import NIOPosix
internal import OTLPWire
internal import Synchronization

/// Sends synthetic OTLP traffic through the gateway's own client code (nghttp2 for gRPC, NIO for HTTP) and
/// measures it, like the Collector's telemetrygen.
public struct LoadGenerator: Sendable {
    public enum Transport: String, Sendable, CaseIterable { case grpc, http }

    public struct Options: Sendable {
        public var transport: Transport = .grpc
        public var signal: Signal = .traces
        public var host: String = "127.0.0.1"
        public var port: Int = 4317
        public var duration: Duration = .seconds(10)
        /// Requests per second over all workers; 0 sends as fast as responses come back.
        public var rate: Double = 0
        public var workers: Int = 1
        /// Items (spans or data points) per request.
        public var batch: Int = 100
        public var gzip: Bool = false
        public init() {}
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var options: Options
        public var elapsedSeconds: Double
        public var requests: Int
        public var errors: Int
        public var items: Int
        public var latenciesNanos: [UInt64]
        public var firstError: String?

        public func percentile(_ p: Double) -> Double {
            guard !latenciesNanos.isEmpty else { return 0 }
            let sorted = latenciesNanos.sorted()
            let index = Swift.min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
            return Double(sorted[index]) / 1e6
        }

        public var description: String {
            let ok = requests - errors
            func f(_ v: Double) -> String {
                let scaled = (v * 100).rounded() / 100
                return String(scaled)
            }
            var lines = [
                "loadgen: protocol=\(options.transport.rawValue) signal=\(options.signal.rawValue) workers=\(options.workers) batch=\(options.batch) gzip=\(options.gzip) rate=\(options.rate == 0 ? "unlimited" : f(options.rate)) duration=\(f(elapsedSeconds))s",
                "requests=\(requests) ok=\(ok) errors=\(errors) items=\(items)",
                "requests/s=\(f(Double(requests) / elapsedSeconds)) items/s=\(f(Double(items) / elapsedSeconds))",
                "latency p50=\(f(percentile(0.5)))ms p99=\(f(percentile(0.99)))ms",
            ]
            if let firstError { lines.append("first error: \(firstError)") }
            return lines.joined(separator: "\n")
        }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    public func run() async throws -> Report {
        let group = MultiThreadedEventLoopGroup.singleton
        // A few distinct payloads, encoded ahead, so the generator spends its CPU on sending, not encoding.
        var synthetic = SyntheticTelemetry()
        let now = WallClock.nowUnixNano()
        var payloads: [[UInt8]] = []
        for _ in 0..<8 {
            var bytes: [UInt8]
            switch options.signal {
            case .traces: bytes = OTLPProtobuf.encode(synthetic.traces(spans: options.batch, nowNanos: now))
            case .metrics:
                bytes = OTLPProtobuf.encode(
                    synthetic.metrics(points: options.batch, nowNanos: now, startNanos: now - 60_000_000_000))
            case .logs: throw LoadGenError(description: "loadgen sends traces or metrics")
            }
            if options.gzip { bytes = Gzip.compress(bytes) }
            payloads.append(bytes)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: options.duration)
        let interval: Duration? =
            options.rate > 0 ? .nanoseconds(Int64(1e9 * Double(options.workers) / options.rate)) : nil
        let options = self.options
        let payloadList = payloads

        let results = try await withThrowingTaskGroup(of: WorkerResult.self) { group in
            for worker in 0..<options.workers {
                group.addTask {
                    try await Self.worker(
                        index: worker, options: options, payloads: payloadList, deadline: deadline, interval: interval,
                        clock: clock, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
                }
            }
            var all: [WorkerResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        _ = group
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Report(
            options: options, elapsedSeconds: seconds,
            requests: results.reduce(0) { $0 + $1.requests }, errors: results.reduce(0) { $0 + $1.errors },
            items: results.reduce(0) { $0 + $1.items }, latenciesNanos: results.flatMap(\.latencies),
            firstError: results.compactMap(\.firstError).first)
    }

    struct WorkerResult: Sendable {
        var requests = 0
        var errors = 0
        var items = 0
        var latencies: [UInt64] = []
        var firstError: String?
    }

    public struct LoadGenError: Error, CustomStringConvertible {
        public var description: String
    }

    private static func worker(
        index: Int, options: Options, payloads: [[UInt8]], deadline: ContinuousClock.Instant, interval: Duration?,
        clock: ContinuousClock, eventLoopGroup: any EventLoopGroup
    ) async throws -> WorkerResult {
        var result = WorkerResult()
        result.latencies.reserveCapacity(100_000)
        let authority = "\(options.host):\(options.port)"
        let grpcPath: String
        let httpPath: String
        switch options.signal {
        case .traces:
            grpcPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
            httpPath = "/v1/traces"
        case .metrics:
            grpcPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
            httpPath = "/v1/metrics"
        case .logs:
            grpcPath = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
            httpPath = "/v1/logs"
        }
        var h2: HTTP2ClientConnection?
        var h1: HTTP1Client?
        switch options.transport {
        case .grpc:
            h2 = try await HTTP2ClientConnection.connect(host: options.host, port: options.port, group: eventLoopGroup)
        case .http: h1 = try await HTTP1Client.connect(host: options.host, port: options.port, group: eventLoopGroup)
        }
        var httpHeaders = [("Content-Type", "application/x-protobuf")]
        if options.gzip { httpHeaders.append(("Content-Encoding", "gzip")) }
        var next = clock.now
        var i = index
        while clock.now < deadline {
            if let interval {
                if next > clock.now { try? await clock.sleep(until: next) }
                next = next.advanced(by: interval)
                if clock.now >= deadline { break }
            }
            let payload = payloads[i % payloads.count]
            i += 1
            let t0 = clock.now
            var ok = false
            var error: String?
            do {
                if let h2 {
                    let r = try await h2.unaryCall(
                        path: grpcPath, authority: authority, message: payload, compressed: options.gzip)
                    ok = r.status == .ok
                    if !ok { error = "gRPC \(r.status): \(r.message)" }
                } else if let h1 {
                    let r = try await h1.post(path: httpPath, host: authority, headers: httpHeaders, body: payload)
                    ok = r.status == 200
                    if !ok { error = "HTTP \(r.status): \(String(decoding: r.body.prefix(200), as: UTF8.self))" }
                }
            } catch let e {
                error = "\(e)"
                if options.transport == .grpc {
                    h2 = try? await HTTP2ClientConnection.connect(
                        host: options.host, port: options.port, group: eventLoopGroup)
                } else {
                    h1 = try? await HTTP1Client.connect(host: options.host, port: options.port, group: eventLoopGroup)
                }
            }
            let elapsed = t0.duration(to: clock.now)
            result.latencies.append(
                UInt64(elapsed.components.seconds) * 1_000_000_000
                    + UInt64(elapsed.components.attoseconds / 1_000_000_000))
            result.requests += 1
            if ok {
                result.items += options.batch
            } else {
                result.errors += 1
                if result.firstError == nil { result.firstError = error }
            }
        }
        await h2?.close()
        await h1?.close()
        return result
    }

}
