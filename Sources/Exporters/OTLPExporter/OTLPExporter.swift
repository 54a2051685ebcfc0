public import ClientTLS
public import Compression
public import GatewayCore
internal import HTTP1Transport
internal import HTTP2Transport
public import Logging
internal import NIOCore
internal import NIOPosix
internal import OTLPWire
public import SelfTelemetry
internal import Synchronization

/// The `otlp` (gRPC, HTTP/2 through nghttp2) and `otlphttp` exporters: data goes into a bounded sending queue,
/// and `numConsumers` senders encode, compress and send it, retrying only what the OTLP specification calls
/// retryable (gRPC UNAVAILABLE, CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, DATA_LOSS, and
/// RESOURCE_EXHAUSTED with RetryInfo; HTTP 429, 502, 503, 504), honouring RetryInfo and `Retry-After`.
/// Permanent errors are logged with the server's message and counted; `partial_success` answers are logged and
/// their rejected items counted as refused.
public final class OTLPExporter<Data: TelemetryData>: Consumer, Sendable {
    public enum Transport: Sendable {
        /// gRPC to `host:port`: h2c, or HTTP/2 over TLS when the settings have `tls`.
        case grpc(host: String, port: Int)
        /// OTLP/HTTP POST to `http://host:port/path` (or `https://` when the settings have `tls`), protobuf or
        /// JSON.
        case http(host: String, port: Int, path: String, json: Bool)
    }

    public struct Settings: Sendable {
        public var transport: Transport
        public var headers: [(String, String)]
        public var gzip: Bool
        /// The body's encoding; nil sends it as it is. Set from `gzip` unless given.
        public var compression: BodyEncoding?
        public var timeout: Duration
        /// The in-memory queue's bounds (`sending_queue.sizer` and `queue_size`, and the byte ceiling).
        public var queueLimits: QueueLimits
        public var numConsumers: Int
        public var retry: RetryPolicy
        /// TLS for every connection (its ALPN protocols must suit the transport: `h2` for gRPC); nil is plaintext.
        public var tls: ClientTLS?
        /// The queue on disk (`sending_queue.storage`), opened by the caller with its own limits; nil keeps it in
        /// memory within `queueLimits`.
        public var persistentQueue: FileQueue?
        /// Headers set per request from the data's request metadata (`headers_setter`); nil sends `headers` only.
        public var headersSetter: (@Sendable (inout [(String, String)], ClientMetadata) -> Void)?

        public init(
            transport: Transport, headers: [(String, String)] = [], gzip: Bool = true, timeout: Duration = .seconds(5),
            queueLimits: QueueLimits = QueueLimits(sizer: .bytes, size: 64 << 20), numConsumers: Int = 10,
            retry: RetryPolicy = RetryPolicy(initialInterval: .seconds(5)), tls: ClientTLS? = nil,
            persistentQueue: FileQueue? = nil, compression: BodyEncoding? = nil
        ) {
            self.transport = transport
            self.headers = headers
            self.gzip = gzip
            self.compression = compression ?? (gzip ? .gzip : nil)
            self.timeout = timeout
            self.queueLimits = queueLimits
            self.numConsumers = numConsumers
            self.retry = retry
            self.tls = tls
            self.persistentQueue = persistentQueue
        }
    }

    struct Counters: Sendable {
        let sent: TelemetryCounter
        let failed: TelemetryCounter
        let enqueueFailed: TelemetryCounter
        let refused: TelemetryCounter
        let retries: TelemetryCounter
        let queueSize: TelemetryGauge
        /// Encoded bytes in the in-memory queue.
        let queueBytes: TelemetryGauge
        /// Items an in-memory queue still held when the drain at shutdown ran out of time.
        let droppedAtShutdown: TelemetryCounter
        /// Items given to another exporter instead of being sent (`handOver(to:)`).
        let handedOver: TelemetryCounter
    }

    /// One send attempt's outcome.
    enum Outcome {
        case success(rejected: Int64, message: String)
        case retryable(String, after: Duration?)
        case permanent(String)
    }

    public let name: String
    private let settings: Settings
    private let logger: Logger
    private let queue: SendingQueue
    private let fileQueue: FileQueue?
    private let counters: Counters
    /// Stopped by `drain()`: the senders finish the queue and `run()` returns. A persistent queue then stops at
    /// the first retryable failure and keeps the rest on disk (that is what it is for) instead of waiting out
    /// backoffs; an in-memory queue keeps retrying until the shutdown timeout, since nothing else would keep its
    /// data.
    private let drainSignal = StopSignal()
    private let lostAtShutdown = Mutex(0)
    /// Where undelivered requests go once `handOver(to:)` was called; nil while they go to the destination.
    private let handoverReceiver = Mutex<(@Sendable (Data) -> Bool)?>(nil)
    /// Stopped by `handOver(to:)`, to wake senders waiting out a backoff.
    private let handoverSignal = StopSignal()
    /// Clock for backoff; injected so retry timing is tested without waiting.
    private let sleep: @Sendable (Duration) async throws -> Void

    public init(
        name: String, settings: Settings, registry: TelemetryRegistry, logger: Logger,
        sleep: (@Sendable (Duration) async throws -> Void)? = nil
    ) {
        precondition(
            settings.numConsumers > 0, "num_consumers must be positive")
        self.name = name
        self.settings = settings
        self.logger = logger
        self.queue = SendingQueue(limits: settings.queueLimits)
        self.fileQueue = settings.persistentQueue
        self.sleep = sleep ?? { try await Task.sleep(for: $0) }
        let unit = Data.signal.itemUnit
        let labels = ["exporter": name]
        counters = Counters(
            sent: registry.counter(
                "otelcol_exporter_sent_\(unit)_total", help: "Number of \(unit) successfully sent to destination.",
                labels: labels),
            failed: registry.counter(
                "otelcol_exporter_send_failed_\(unit)_total", help: "Number of \(unit) that failed to be sent.",
                labels: labels),
            enqueueFailed: registry.counter(
                "otelcol_exporter_enqueue_failed_\(unit)_total",
                help: "Number of \(unit) refused because the sending queue was full.", labels: labels),
            refused: registry.counter(
                "otlp_gateway_exporter_refused_\(unit)_total",
                help: "Number of \(unit) the destination rejected in a partial_success answer.", labels: labels),
            retries: registry.counter(
                "otlp_gateway_exporter_retries_total", help: "Send attempts repeated after a retryable failure.",
                labels: labels),
            queueSize: registry.gauge(
                "otelcol_exporter_queue_size",
                help: "What the sending queue holds, in its sizer's unit (requests, items or bytes).", labels: labels),
            queueBytes: registry.gauge(
                "otlp_gateway_exporter_queue_bytes", help: "Encoded bytes in the in-memory sending queue.",
                labels: labels),
            droppedAtShutdown: registry.counter(
                "otlp_gateway_exporter_shutdown_dropped_\(unit)_total",
                help: "Number of \(unit) an in-memory sending queue still held when the drain at shutdown timed out.",
                labels: labels),
            handedOver: registry.counter(
                "otlp_gateway_exporter_handed_over_\(unit)_total",
                help:
                    "Number of \(unit) passed to other exporters instead of being sent (a load balancer's backend that "
                    + "left the ring).",
                labels: labels))
        registry.gauge(
            "otelcol_exporter_queue_capacity", help: "Capacity of the sending queue, in its sizer's unit.",
            labels: labels
        )
        .set(settings.persistentQueue?.limits.size ?? settings.queueLimits.size)
        if let fileQueue = settings.persistentQueue {
            counters.queueSize.set(fileQueue.size)
            if fileQueue.recovered > 0 {
                logger.info(
                    "persistent sending queue: requests from an earlier run will be sent",
                    metadata: [
                        "exporter": "\(name)", "requests": "\(fileQueue.recovered)",
                        "directory": "\(fileQueue.directory)",
                    ])
            }
            if fileQueue.corrupt > 0 {
                logger.error(
                    "persistent sending queue: unreadable request files moved aside",
                    metadata: [
                        "exporter": "\(name)", "files": "\(fileQueue.corrupt)",
                        "directory": "\(fileQueue.directory)/corrupt",
                    ])
            }
        }
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        if let fileQueue {
            // Encoded now, so the file holds exactly what will be sent and a restart needs no decoding.
            guard fileQueue.push(body: OTLPRequest.encode(data, json: usesJSON), items: data.itemCount) else {
                counters.enqueueFailed.add(data.itemCount)
                throw PipelineError.retryable(
                    "persistent sending queue of exporter \(name) is full (queue_size \(fileQueue.limits.size) \(fileQueue.limits.sizer.rawValue)) or cannot be written",
                    retryAfterSeconds: 1)
            }
            counters.queueSize.set(fileQueue.size)
            return .accepted
        }
        // Encoded on the way in: the queue holds compact bytes whose size it can bound exactly. A full queue refuses
        // first, so a caller retrying against it (the batch processor's timer) costs no encode.
        guard !queue.isFull else {
            counters.enqueueFailed.add(data.itemCount)
            throw PipelineError.retryable(
                "sending queue of exporter \(name) is full (\(queue.count) requests, \(queue.bytes) bytes queued)",
                retryAfterSeconds: 1)
        }
        var request = EncodedRequest(
            body: EncodedRequest.compact(OTLPRequest.encode(data, json: usesJSON)), items: data.itemCount,
            metadata: data.metadata)
        if let setter = settings.headersSetter {
            var headers = settings.headers
            setter(&headers, data.metadata)
            request.headers = headers
        }
        guard queue.push(request) else {
            counters.enqueueFailed.add(data.itemCount)
            throw PipelineError.retryable(
                "sending queue of exporter \(name) is full (\(queue.count) requests, \(queue.bytes) bytes queued)",
                retryAfterSeconds: 1)
        }
        counters.queueSize.set(queue.size)
        counters.queueBytes.set(queue.bytes)
        return .accepted
    }

    /// Runs the senders until `drain()`; then they send what is queued (retrying as configured) and `run()`
    /// returns once the queue is empty. Cancelling the task ends the drain early: a persistent queue keeps what
    /// was not sent for the next start; an in-memory queue's remainder is counted and logged as dropped.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<settings.numConsumers {
                group.addTask { await self.sender() }
            }
            // Until drain() (or cancellation, which ends the stream's iteration).
            await drainSignal.wait()
            // A closed persistent queue keeps its files for the next start, which a backend that left the ring may
            // never have: what waits on disk is offered to the hand-over's receiver first.
            if let fileQueue, handoverSignal.isStopped { handOverStored(fileQueue) }
            queue.close()
            fileQueue?.close()
            await group.waitForAll()
        }
        let lost = lostAtShutdown.withLock { $0 }
        if lost > 0 {
            logger.error(
                "sending queue not drained at shutdown: the destination did not take these items in time; dropped",
                metadata: ["exporter": "\(name)", "items": "\(lost)"])
        } else if let fileQueue, fileQueue.count > 0 {
            logger.warning(
                "persistent sending queue kept for the next start",
                metadata: [
                    "exporter": "\(name)", "requests": "\(fileQueue.count)", "directory": "\(fileQueue.directory)",
                ])
        }
    }

    /// Starts the shutdown drain: no more data is accepted, the senders empty the queue and `run()` returns.
    public func drain() {
        drainSignal.stop()
    }

    /// Offers every undelivered request to `receiver` from now on (`QueueHandover`), and wakes the senders that
    /// wait out a backoff so theirs are offered at once.
    public func handOver(to receiver: @escaping @Sendable (Data) -> Bool) {
        handoverReceiver.withLock { $0 = receiver }
        handoverSignal.stop()
    }

    /// Offers an undelivered request to the hand-over's receiver: true when it took it.
    private func offer(_ body: [UInt8], items: Int, metadata: ClientMetadata) -> Bool {
        guard let receiver = handoverReceiver.withLock({ $0 }),
            var data = OTLPRequest.decode(body, as: Data.self, json: usesJSON)
        else {
            return false
        }
        data.metadata = metadata
        guard receiver(data) else { return false }
        counters.handedOver.add(items)
        return true
    }

    /// Offers the requests waiting on disk, oldest first, until the receiver refuses one (that one and the rest
    /// stay on disk).
    private func handOverStored(_ fileQueue: FileQueue) {
        while let entry = fileQueue.popNow() {
            guard offer(entry.body, items: entry.items, metadata: .empty) else {
                fileQueue.keep(entry)
                break
            }
            fileQueue.complete(entry)
            counters.queueSize.set(fileQueue.size)
        }
    }

    /// Items queued now (requests, for a persistent queue).
    public var queued: Int { fileQueue?.count ?? queue.count }

    private func sender() async {
        var connection = Connection()
        if let fileQueue {
            // On disk: a request leaves the queue only once it is done with; one interrupted by shutdown stays.
            while let entry = await fileQueue.pop() {
                let done = await deliver(
                    body: entry.body, items: entry.items, keepOnShutdown: true, connection: &connection)
                if done { fileQueue.complete(entry) } else { fileQueue.keep(entry) }
                counters.queueSize.set(fileQueue.size)
                // Shutting down and the destination is not taking data: the rest stays on disk for the next start.
                if !done { break }
            }
        } else {
            while let request = await queue.pop() {
                counters.queueSize.set(queue.size)
                counters.queueBytes.set(queue.bytes)
                if Task.isCancelled {
                    // The drain ran out of time: what is left cannot be kept anywhere.
                    counters.failed.add(request.items)
                    counters.droppedAtShutdown.add(request.items)
                    lostAtShutdown.withLock { $0 += request.items }
                    continue
                }
                await deliver(
                    body: request.body, items: request.items, keepOnShutdown: false, headers: request.headers,
                    metadata: request.metadata, connection: &connection)
            }
        }
        await connection.close()
    }

    private var usesJSON: Bool {
        if case .http(_, _, _, let json) = settings.transport { return json }
        return false
    }

    /// Sends one request until it succeeds, fails for good or runs out of retries: true when it is done with.
    /// False when shutdown interrupted its retries and `keepOnShutdown` asks to keep it (persistent queue);
    /// without that it counts as failed, as the in-memory queue cannot keep it.
    @discardableResult
    private func deliver(
        body encoded: [UInt8], items: Int, keepOnShutdown: Bool, headers: [(String, String)]? = nil,
        metadata: ClientMetadata = .empty, connection: inout Connection
    ) async -> Bool {
        var body = encoded
        let isGRPC: Bool
        if case .grpc = settings.transport { isGRPC = true } else { isGRPC = false }
        if let compression = settings.compression { body = compression.compress(body, grpc: isGRPC) }
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            // Handed over (a load balancer's backend that left the ring): the backends that own it now take it.
            if offer(encoded, items: items, metadata: metadata) { return true }
            let outcome = await attemptSend(body, headers: headers ?? settings.headers, connection: &connection)
            switch outcome {
            case .success(let rejected, let message):
                let refused = Int(Swift.min(Int64(items), Swift.max(0, rejected)))
                counters.sent.add(items - refused)
                if refused > 0 || !message.isEmpty {
                    counters.refused.add(refused)
                    logger.warning(
                        "destination partially accepted data",
                        metadata: ["exporter": "\(name)", "rejected": "\(rejected)", "message": "\(message)"])
                }
                return true
            case .permanent(let message):
                counters.failed.add(items)
                logger.error(
                    "export failed permanently; dropping",
                    metadata: ["exporter": "\(name)", "items": "\(items)", "error": "\(message)"])
                return true
            case .retryable(let message, let after):
                let elapsed = start.duration(to: clock.now)
                let wait = after ?? settings.retry.delay(attempt: attempt, random: Double.random(in: 0..<1))
                let budgetGone = settings.retry.maxElapsed > .zero && elapsed + wait > settings.retry.maxElapsed
                // Stopping: a hand-over may still take it; otherwise it stays on disk for the next start.
                if keepOnShutdown && (Task.isCancelled || drainSignal.isStopped) {
                    return offer(encoded, items: items, metadata: metadata)
                }
                if Task.isCancelled {
                    counters.droppedAtShutdown.add(items)
                    lostAtShutdown.withLock { $0 += items }
                }
                if !settings.retry.enabled || budgetGone || Task.isCancelled {
                    counters.failed.add(items)
                    logger.error(
                        "export failed; giving up",
                        metadata: [
                            "exporter": "\(name)", "items": "\(items)", "attempts": "\(attempt + 1)",
                            "error": "\(message)",
                        ])
                    return true
                }
                counters.retries.add()
                logger.warning(
                    "export failed; retrying",
                    metadata: ["exporter": "\(name)", "error": "\(message)", "retry_in": "\(wait)"])
                attempt += 1
                do { try await backoff(wait) } catch {
                    if keepOnShutdown { return false }
                    counters.failed.add(items)
                    counters.droppedAtShutdown.add(items)
                    lostAtShutdown.withLock { $0 += items }
                    return true
                }
            }
        }
    }

    /// Waits `wait` before a retry, or less when a hand-over begins (the request is offered at once then).
    private func backoff(_ wait: Duration) async throws {
        // Once handed over, a refused offer waits out its backoff like any retry.
        guard !handoverSignal.isStopped else { return try await sleep(wait) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.sleep(wait) }
            group.addTask { await self.handoverSignal.wait() }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// The connection a sender reuses between requests (gRPC: one HTTP/2 connection; HTTP: keep-alive).
    struct Connection {
        var h2: HTTP2ClientConnection?
        var h1: HTTP1Client?

        mutating func close() async {
            await h2?.close()
            await h1?.close()
            h2 = nil
            h1 = nil
        }
    }

    private func attemptSend(_ body: [UInt8], headers requestHeaders: [(String, String)], connection: inout Connection)
        async -> Outcome
    {
        switch settings.transport {
        case .grpc(let host, let port):
            do {
                if connection.h2 == nil || connection.h2?.channel.isActive == false {
                    await connection.close()
                    connection.h2 = try await HTTP2ClientConnection.connect(
                        host: host, port: port, group: MultiThreadedEventLoopGroup.singleton,
                        tls: tlsHandlers(host: host, port: port))
                }
                let h2 = connection.h2!
                let path = Self.grpcPath
                let headers =
                    requestHeaders.map { HTTP2Header($0.0.lowercased(), $0.1) }
                    + [HTTP2Header("grpc-timeout", "\(Swift.max(1, Int(settings.timeout.seconds * 1000)))m")]
                let timeout = settings.timeout
                let compression = settings.compression
                let result = try await withThrowingTaskGroup(of: GRPCCallResult?.self) { group in
                    group.addTask {
                        try await h2.unaryCall(
                            path: path, authority: Self.authority(host, port), message: body,
                            compressed: compression != nil, encoding: compression?.headerValue(grpc: true) ?? "gzip",
                            extraHeaders: headers)
                    }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return nil
                    }
                    let first = try await group.next()!
                    group.cancelAll()
                    return first
                }
                guard let result else {
                    await connection.close()
                    return .retryable("deadline exceeded after \(settings.timeout)", after: nil)
                }
                return Self.classify(result)
            } catch {
                await connection.close()
                return .retryable("\(error)", after: nil)
            }
        case .http(let host, let port, let path, let json):
            do {
                if connection.h1 == nil || connection.h1?.isActive == false {
                    await connection.close()
                    connection.h1 = try await HTTP1Client.connect(
                        host: host, port: port, group: MultiThreadedEventLoopGroup.singleton,
                        tls: tlsHandlers(host: host, port: port))
                }
                var headers = [
                    ("Content-Type", json ? "application/json" : "application/x-protobuf"),
                    ("User-Agent", "otlp-gateway/0.1"),
                ]
                if let compression = settings.compression {
                    headers.append(("Content-Encoding", compression.headerValue(grpc: false)))
                }
                headers.append(contentsOf: requestHeaders)
                let response = try await connection.h1!.post(
                    path: path, host: Self.authority(host, port), headers: headers, body: body,
                    timeout: settings.timeout)
                return Self.classify(response, json: json)
            } catch {
                await connection.close()
                return .retryable("\(error)", after: nil)
            }
        }
    }

    /// The handler factory a new connection gets from `settings.tls`, or nil for plaintext.
    private func tlsHandlers(host: String, port: Int) -> (@Sendable () throws -> [any ChannelHandler])? {
        guard let tls = settings.tls else { return nil }
        return { try tls.makeHandlers(host: host, port: port) }
    }

    /// `host:port` for `Host` and `:authority`, with an IPv6 address in brackets.
    static func authority(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static var grpcPath: String {
        switch Data.signal {
        case .traces: return "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
        case .metrics: return "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
        case .logs: return "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
        }
    }

    /// gRPC status -> outcome, per the OTLP specification's retry rules.
    static func classify(_ r: GRPCCallResult) -> Outcome {
        let message = "gRPC \(r.status): \(r.message)"
        switch r.status.rawValue {
        case 0:
            let partial = OTLPProtobuf.partialSuccess(r.response)
            return .success(rejected: partial.rejected, message: partial.message)
        case 1, 4, 10, 11, 14, 15:
            return .retryable(message, after: r.details.flatMap(OTLPProtobuf.retryDelay(fromStatus:)))
        case 8:
            // RESOURCE_EXHAUSTED is retryable only when the server says when (RetryInfo).
            if let delay = r.details.flatMap(OTLPProtobuf.retryDelay(fromStatus:)) {
                return .retryable(message, after: delay)
            }
            return .permanent(message)
        default:
            return .permanent(message)
        }
    }

    /// HTTP status -> outcome: 429, 502, 503, 504 retryable (with Retry-After), everything else permanent.
    static func classify(_ r: HTTP1Client.Response, json: Bool) -> Outcome {
        switch r.status {
        case 200..<300:
            if json { return .success(rejected: 0, message: "") }
            let partial = OTLPProtobuf.partialSuccess(r.body)
            return .success(rejected: partial.rejected, message: partial.message)
        case 429, 502, 503, 504:
            return .retryable(
                "HTTP \(r.status): \(errorText(r, json: json))", after: parseRetryAfter(r.header("Retry-After")))
        default:
            return .permanent("HTTP \(r.status): \(errorText(r, json: json))")
        }
    }

    static func errorText(_ r: HTTP1Client.Response, json: Bool) -> String {
        if !json, r.header("Content-Type")?.contains("protobuf") == true, let m = OTLPProtobuf.statusMessage(r.body) {
            return m
        }
        return String(decoding: r.body.prefix(512), as: UTF8.self)
    }
}
