public import GatewayCore
public import Logging
public import SelfTelemetry
internal import Synchronization

/// The `batch` processor: gathers data until `sendBatchSize` items or `timeout`, then sends it on, split so no
/// batch exceeds `sendBatchMaxSize`. Bounded: beyond `maxPendingItems` it refuses with a retryable error, so
/// overload reaches clients as UNAVAILABLE / 503 with a retry hint instead of growing memory.
///
/// Size-triggered batches are sent on the caller's thread; the timer runs in `run()`, which also flushes
/// everything left when it is cancelled (graceful shutdown).
public final class BatchProcessor<Data: TelemetryData>: Consumer, Sendable {
    public struct Settings: Sendable {
        /// `send_batch_size`: items that trigger a send.
        public var sendBatchSize: Int
        /// `send_batch_max_size`: upper bound of a batch (0: no bound).
        public var sendBatchMaxSize: Int
        /// `timeout`: the longest an item waits.
        public var timeout: Duration
        /// `max_pending_items`: buffered items beyond which data is refused.
        public var maxPendingItems: Int

        public init(sendBatchSize: Int = 8192, sendBatchMaxSize: Int = 0, timeout: Duration = .milliseconds(200), maxPendingItems: Int = 100_000) {
            self.sendBatchSize = sendBatchSize
            self.sendBatchMaxSize = sendBatchMaxSize
            self.timeout = timeout
            self.maxPendingItems = maxPendingItems
        }
    }

    public enum Trigger: String, Sendable { case size, timeout, shutdown }

    private struct State: @unchecked Sendable {
        var buffer: Data?
        var items = 0
    }

    private let settings: Settings
    private let next: any Consumer<Data>
    private let state = Mutex(State())
    private let logger: Logger
    private let incoming: TelemetryCounter
    private let outgoing: TelemetryCounter
    private let dropped: TelemetryCounter
    private let triggers: [Trigger: TelemetryCounter]
    private let pending: TelemetryGauge

    public init(name: String, settings: Settings, next: any Consumer<Data>, registry: TelemetryRegistry, logger: Logger) {
        precondition(settings.sendBatchSize > 0, "send_batch_size must be positive")
        self.settings = settings
        self.next = next
        self.logger = logger
        let labels = ["processor": name, "otel_signal": Data.signal.rawValue]
        incoming = registry.counter("otelcol_processor_incoming_items_total", help: "Items received by the processor.", labels: labels)
        outgoing = registry.counter("otelcol_processor_outgoing_items_total", help: "Items sent on by the processor.", labels: labels)
        dropped = registry.counter("otelcol_processor_dropped_items_total", help: "Items the next stage refused after the processor had accepted them.", labels: labels)
        pending = registry.gauge("otelcol_processor_batch_pending_items", help: "Items waiting in the batch processor.", labels: labels)
        var triggers: [Trigger: TelemetryCounter] = [:]
        triggers[.size] = registry.counter("otelcol_processor_batch_batch_size_trigger_send_total", help: "Batches sent because of size.", labels: ["processor": name])
        triggers[.timeout] = registry.counter("otelcol_processor_batch_timeout_trigger_send_total", help: "Batches sent because of the timeout.", labels: ["processor": name])
        triggers[.shutdown] = registry.counter("otelcol_processor_batch_shutdown_trigger_send_total", help: "Batches sent at shutdown.", labels: ["processor": name])
        self.triggers = triggers
    }

    @discardableResult
    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let count = data.itemCount
        let ready: Data? = try state.withLock { (s) throws(PipelineError) -> Data? in
            guard s.items + count <= settings.maxPendingItems else {
                throw PipelineError.retryable("batch processor is full (\(s.items) items pending, max_pending_items \(settings.maxPendingItems))", retryAfterSeconds: 1)
            }
            if s.buffer == nil { s.buffer = data } else { s.buffer!.append(contentsOf: data) }
            s.items += count
            // The gauge is set under the lock, so concurrent callers cannot leave it stale.
            guard s.items >= settings.sendBatchSize else {
                pending.set(s.items)
                return nil
            }
            defer {
                s.buffer = nil
                s.items = 0
                pending.set(0)
            }
            return s.buffer
        }
        incoming.add(count)
        if let ready { send(ready, trigger: .size) }
        // What later stages refuse is only known after the client was answered; it is counted as dropped.
        return .accepted
    }

    /// Sends whatever is buffered now.
    public func flush(trigger: Trigger) {
        let data: Data? = state.withLock { s in
            defer {
                s.buffer = nil
                s.items = 0
            }
            pending.set(0)
            return s.items > 0 ? s.buffer : nil
        }
        if let data { send(data, trigger: trigger) }
    }

    private func send(_ data: Data, trigger: Trigger) {
        var rest = data
        while rest.itemCount > 0 {
            let batch: Data
            if settings.sendBatchMaxSize > 0, rest.itemCount > settings.sendBatchMaxSize {
                batch = rest.removeFirst(items: settings.sendBatchMaxSize)
            } else {
                batch = rest
                rest = Data.emptyValue
            }
            let n = batch.itemCount
            triggers[trigger]!.add()
            do {
                let result = try next.consume(batch)
                outgoing.add(n - result.rejectedItems)
                dropped.add(result.rejectedItems)
            } catch {
                // The client was already answered: this loss can only be counted and logged.
                dropped.add(n)
                logger.warning("batch processor: next stage refused a batch; dropped", metadata: ["items": "\(n)", "error": "\(error)"])
            }
        }
    }

    /// The timer loop: flushes every `timeout` until cancelled, then flushes what is left.
    public func run<C: Clock>(clock: C) async where C.Duration == Duration {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: settings.timeout)
            } catch {
                break
            }
            flush(trigger: .timeout)
        }
        flush(trigger: .shutdown)
    }
}

extension TelemetryData {
    static var emptyValue: Self {
        var v: Self? = nil
        switch Self.signal {
        case .traces: v = Traces() as? Self
        case .metrics: v = Metrics() as? Self
        case .logs: v = Logs() as? Self
        }
        return v!
    }
}
