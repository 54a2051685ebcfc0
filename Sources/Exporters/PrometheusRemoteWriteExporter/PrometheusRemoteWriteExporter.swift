public import ClientTLS
internal import Compression
public import GatewayCore
internal import HTTP1Transport
public import Logging
public import MetricStore
internal import NIOCore
internal import NIOPosix
internal import PrometheusTranslation
public import SelfTelemetry
internal import Synchronization

/// The `prometheusremotewrite` exporter: every `interval`, the series of the metric store that changed are
/// written to Prometheus (or Mimir, Thanos, any remote-write 1.0 receiver) as snappy-compressed protobuf.
///
/// Series are sharded by a hash of their labels over `numConsumers` senders, each with its own bounded queue
/// and connection, so every series is always sent by the same sender, in order: the out-of-order rejections the
/// Collector's exporter is known for cannot happen. 5xx and 429 are retried with backoff (honouring
/// `Retry-After`) while the sender holds back its later requests; other 4xx are dropped and counted.
public final class PrometheusRemoteWriteExporter: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var path: String
        /// Extra headers (e.g. `X-Scope-OrgID`), and `Authorization` when auth is configured.
        public var headers: [(String, String)]
        public var timeout: Duration
        public var interval: Duration
        public var encoder: RemoteWriteEncoder
        public var queueSize: Int
        public var numConsumers: Int
        public var retry: RetryPolicy
        /// TLS for every connection (an `https://` endpoint, ALPN `http/1.1`); nil is plaintext.
        public var tls: ClientTLS?

        public init(
            host: String, port: Int, path: String, headers: [(String, String)] = [], timeout: Duration = .seconds(5),
            interval: Duration = .seconds(15), encoder: RemoteWriteEncoder = RemoteWriteEncoder(),
            queueSize: Int = 10_000, numConsumers: Int = 5, retry: RetryPolicy = RetryPolicy(), tls: ClientTLS? = nil
        ) {
            self.host = host
            self.port = port
            self.path = path
            self.headers = headers
            self.timeout = timeout
            self.interval = interval
            self.encoder = encoder
            self.queueSize = queueSize
            self.numConsumers = numConsumers
            self.retry = retry
            self.tls = tls
        }
    }

    struct Counters: Sendable {
        let sent: TelemetryCounter
        let failed: TelemetryCounter
        let dropped: TelemetryCounter
        let retried: TelemetryCounter
        let requests: [String: TelemetryCounter]
        let queueLength: TelemetryGauge
        let lastSuccess: TelemetryGauge
    }

    public let name: String
    private let settings: Settings
    private let store: MetricStore
    private let reader: Int
    private let logger: Logger
    private let counters: Counters
    private let queues: [ShardQueue]
    /// Ends the collection timer for the shutdown drain (`drain()`).
    private let stopSignal = StopSignal()
    /// Time, from the injected clock: the collection timer, the retry backoff and the retry budget.
    private let periodic: @Sendable (Duration, StopSignal, () async -> Void) async -> Void
    private let sleep: @Sendable (Duration) async throws -> Void
    private let elapsed: @Sendable () -> Duration

    public convenience init(
        name: String, settings: Settings, store: MetricStore, registry: TelemetryRegistry, logger: Logger
    ) {
        self.init(
            name: name, settings: settings, store: store, registry: registry, logger: logger, clock: ContinuousClock())
    }

    /// With `clock` for every wait (tests pass a manual clock).
    public init<C: Clock>(
        name: String, settings: Settings, store: MetricStore, registry: TelemetryRegistry, logger: Logger, clock: C
    ) where C.Duration == Duration {
        let origin = clock.now
        periodic = { interval, stop, tick in await Periodic.run(every: interval, clock: clock, stop: stop, tick) }
        sleep = { try await clock.sleep(for: $0) }
        elapsed = { origin.duration(to: clock.now) }
        precondition(settings.numConsumers > 0, "num_consumers must be positive")
        self.name = name
        self.settings = settings
        self.store = store
        self.reader = store.makeReader()
        self.logger = logger
        let labels = ["exporter": name]
        var requests: [String: TelemetryCounter] = [:]
        for outcome in ["success", "retry", "failure"] {
            requests[outcome] = registry.counter(
                "otlp_gateway_remote_write_requests_total", help: "Remote-write requests by outcome.",
                labels: ["exporter": name, "outcome": outcome])
        }
        counters = Counters(
            sent: registry.counter(
                "otlp_gateway_remote_write_samples_sent_total", help: "Samples accepted by the remote-write endpoint.",
                labels: labels),
            failed: registry.counter(
                "otlp_gateway_remote_write_samples_failed_total",
                help:
                    "Samples refused by the endpoint with a non-retryable status, or given up after max_elapsed_time.",
                labels: labels),
            dropped: registry.counter(
                "otlp_gateway_remote_write_samples_dropped_total",
                help: "Samples dropped because the sending queue was full or the gateway was stopping.", labels: labels),
            retried: registry.counter(
                "otlp_gateway_remote_write_samples_retried_total",
                help: "Samples sent again after a retryable failure.", labels: labels),
            requests: requests,
            queueLength: registry.gauge(
                "otlp_gateway_remote_write_queue_length", help: "Requests waiting in the remote-write queues.",
                labels: labels),
            lastSuccess: registry.gauge(
                "otlp_gateway_remote_write_last_success_timestamp_seconds",
                help: "Unix time of the last successful remote write.", labels: labels))
        queues = (0..<settings.numConsumers).map { _ in ShardQueue(capacity: settings.queueSize) }
        // Constant, but exported so "queue nearly full" is one division in an alert rule.
        registry.gauge(
            "otlp_gateway_remote_write_queue_capacity",
            help: "Requests the remote-write queues can hold (queue_size per sender).", labels: labels
        )
        .set(settings.queueSize * settings.numConsumers)
    }

    /// Runs the collection timer and one sender per shard until `drain()`: then it collects once more and the
    /// senders send what is queued (retrying as configured) before `run()` returns. Cancelling the task ends that
    /// drain early: what is still queued is counted as dropped.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (index, queue) in queues.enumerated() {
                group.addTask { await self.sender(index: index, queue: queue) }
            }
            await periodic(settings.interval, stopSignal) { await collect() }
            for queue in queues { await queue.close() }
            await group.waitForAll()
        }
    }

    /// Starts the shutdown drain: a final collection, then the queues are sent and `run()` returns.
    public func drain() { stopSignal.stop() }

    /// Moves the store's changes into the shard queues.
    func collect() async {
        let changes = store.changes(for: reader)
        guard !changes.updated.isEmpty || !changes.removed.isEmpty else { return }
        let n = queues.count
        var updated = [[MetricStore.Series]](repeating: [], count: n)
        var removed = [[MetricStore.Series]](repeating: [], count: n)
        for s in changes.updated { updated[Self.shard(s, n)].append(s) }
        for s in changes.removed { removed[Self.shard(s, n)].append(s) }
        for i in 0..<n where !updated[i].isEmpty || !removed[i].isEmpty {
            for request in settings.encoder.encode(
                updated: updated[i], removed: removed[i], removedAtMs: changes.removedAtMs)
            {
                let dropped = await queues[i].push(request)
                for d in dropped { counters.dropped.add(d.samples) }
                if !dropped.isEmpty {
                    logger.warning(
                        "remote write queue full: dropped oldest requests",
                        metadata: ["exporter": "\(name)", "samples": "\(dropped.reduce(0) { $0 + $1.samples })"])
                }
            }
        }
        var length = 0
        for q in queues { length += await q.count }
        counters.queueLength.set(length)
    }

    /// FNV-1a over family name and labels: stable, so a series always lands on the same sender.
    static func shard(_ s: MetricStore.Series, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for b in text.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            h ^= 0xFF
            h = h &* 0x100_0000_01b3
        }
        mix(s.family.name)
        for l in s.labels {
            mix(l.name)
            mix(l.value)
        }
        return Int(h % UInt64(n))
    }

    private func sender(index: Int, queue: ShardQueue) async {
        var client: HTTP1Client?
        while let request = await queue.pop() {
            await send(request, client: &client)
        }
        await client?.close()
    }

    private func send(_ request: RemoteWriteEncoder.Request, client: inout HTTP1Client?) async {
        let body = Snappy.compress(request.body)
        var headers: [(String, String)] = [
            ("Content-Type", "application/x-protobuf"),
            ("Content-Encoding", "snappy"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
            ("User-Agent", "otlp-gateway/0.1"),
        ]
        headers.append(contentsOf: settings.headers)
        // An IPv6 address goes in brackets.
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        let hostHeader = "\(host):\(settings.port)"
        let start = elapsed()
        var attempt = 0
        while true {
            var retryAfter: Duration?
            var failure: String
            do {
                if client == nil || client?.isActive == false {
                    await client?.close()
                    client = try await HTTP1Client.connect(
                        host: settings.host, port: settings.port, group: MultiThreadedEventLoopGroup.singleton,
                        tls: tlsHandlers())
                }
                let response = try await client!.post(
                    path: settings.path, host: hostHeader, headers: headers, body: body, timeout: settings.timeout)
                switch response.status {
                case 200..<300:
                    counters.sent.add(request.samples)
                    counters.requests["success"]!.add()
                    counters.lastSuccess.set(Int(WallClock.nowUnixNano() / 1_000_000_000))
                    return
                case 429, 500..<600:
                    retryAfter = parseRetryAfter(response.header("Retry-After"))
                    failure = "HTTP \(response.status): \(Self.excerpt(response.body))"
                default:
                    // The spec says drop on other 4xx: the data is wrong (out of order, duplicate, invalid).
                    counters.failed.add(request.samples)
                    counters.requests["failure"]!.add()
                    logger.error(
                        "remote write refused; dropping",
                        metadata: [
                            "exporter": "\(name)", "status": "\(response.status)", "samples": "\(request.samples)",
                            "response": "\(Self.excerpt(response.body))",
                        ])
                    return
                }
            } catch {
                failure = "\(error)"
                await client?.close()
                client = nil
            }
            let spent = elapsed() - start
            let exhausted = settings.retry.maxElapsed > .zero && spent >= settings.retry.maxElapsed
            if !settings.retry.enabled || exhausted || Task.isCancelled {
                counters.failed.add(request.samples)
                counters.requests["failure"]!.add()
                logger.error(
                    "remote write failed; giving up",
                    metadata: [
                        "exporter": "\(name)", "error": "\(failure)", "attempts": "\(attempt + 1)",
                        "samples": "\(request.samples)",
                    ])
                return
            }
            counters.requests["retry"]!.add()
            counters.retried.add(request.samples)
            let wait = retryAfter ?? settings.retry.delay(attempt: attempt, random: Double.random(in: 0..<1))
            logger.warning(
                "remote write failed; retrying",
                metadata: ["exporter": "\(name)", "error": "\(failure)", "retry_in": "\(wait)"])
            attempt += 1
            do { try await sleep(wait) } catch {
                counters.dropped.add(request.samples)
                return
            }
        }
    }

    /// The handler factory a new connection gets from `settings.tls`, or nil for plaintext.
    private func tlsHandlers() -> (@Sendable () throws -> [any ChannelHandler])? {
        guard let tls = settings.tls else { return nil }
        let (host, port) = (settings.host, settings.port)
        return { try tls.makeHandlers(host: host, port: port) }
    }

    static func excerpt(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(512), as: UTF8.self)
    }
}
