public import GatewayCore
public import Logging
public import SelfTelemetry
internal import Synchronization

/// The `batch` processor: gathers data until `sendBatchSize` items or `timeout`, then sends it on, split so no
/// batch exceeds `sendBatchMaxSize`. Bounded: beyond `maxPendingBytes` (`Footprint`'s estimate) or `maxPendingItems`
/// it refuses with a retryable error, so overload reaches clients as UNAVAILABLE / 503 with a retry hint instead of
/// growing memory.
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
        /// `max_pending_bytes`: buffered bytes (`estimatedBytes`) beyond which data is refused.
        public var maxPendingBytes: Int

        public init(
            sendBatchSize: Int = 8192, sendBatchMaxSize: Int = 0, timeout: Duration = .milliseconds(200),
            maxPendingItems: Int = 100_000, maxPendingBytes: Int = 32 << 20
        ) {
            self.sendBatchSize = sendBatchSize
            self.sendBatchMaxSize = sendBatchMaxSize
            self.timeout = timeout
            self.maxPendingItems = maxPendingItems
            self.maxPendingBytes = maxPendingBytes
        }
    }

    public enum Trigger: String, Sendable { case size, timeout, shutdown }

    /// How buffered data is written to and read from the journal (the assembly supplies the OTLP encoding).
    public struct Codec: Sendable {
        public var encode: @Sendable (Data) -> [UInt8]
        public var decode: @Sendable ([UInt8]) -> Data?

        public init(encode: @escaping @Sendable (Data) -> [UInt8], decode: @escaping @Sendable ([UInt8]) -> Data?) {
            self.encode = encode
            self.decode = decode
        }
    }

    private struct State: @unchecked Sendable {
        var buffer: Data?
        var items = 0
        /// Items taken out of the buffer and being handed on: they count against `max_pending_items` until the next
        /// stage has taken them, or a refused batch would come back on top of a buffer refilled meanwhile.
        var handingOn = 0
        /// `items` and `handingOn` in bytes.
        var bytes = 0
        var handingOnBytes = 0
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
    private let pendingBytes: TelemetryGauge
    /// With a journal, accepted data is on disk before `consume` returns (see `BatchJournal`).
    private let journal: (BatchJournal, Codec)?
    private let name: String
    /// The next stage refused the last send as retryable (a full queue): size-triggered sends wait for the
    /// timer, so a full downstream costs one attempt per timeout, not one per request.
    private let downstreamRefusing = Atomic<Bool>(false)

    public init(
        name: String, settings: Settings, next: any Consumer<Data>, registry: TelemetryRegistry, logger: Logger,
        journal: (BatchJournal, Codec)? = nil
    ) {
        precondition(settings.sendBatchSize > 0, "send_batch_size must be positive")
        self.settings = settings
        self.next = next
        self.logger = logger
        let labels = ["processor": name, "otel_signal": Data.signal.rawValue]
        incoming = registry.counter(
            "otelcol_processor_incoming_items_total", help: "Items received by the processor.", labels: labels)
        outgoing = registry.counter(
            "otelcol_processor_outgoing_items_total", help: "Items sent on by the processor.", labels: labels)
        dropped = registry.counter(
            "otelcol_processor_dropped_items_total",
            help: "Items the next stage refused after the processor had accepted them.", labels: labels)
        pending = registry.gauge(
            "otelcol_processor_batch_pending_items", help: "Items waiting in the batch processor.", labels: labels)
        pendingBytes = registry.gauge(
            "otlp_gateway_processor_batch_pending_bytes",
            help: "Bytes (estimated) waiting in the batch processor, bounded by max_pending_bytes.", labels: labels)
        var triggers: [Trigger: TelemetryCounter] = [:]
        triggers[.size] = registry.counter(
            "otelcol_processor_batch_batch_size_trigger_send_total", help: "Batches sent because of size.",
            labels: ["processor": name])
        triggers[.timeout] = registry.counter(
            "otelcol_processor_batch_timeout_trigger_send_total", help: "Batches sent because of the timeout.",
            labels: ["processor": name])
        triggers[.shutdown] = registry.counter(
            "otelcol_processor_batch_shutdown_trigger_send_total", help: "Batches sent at shutdown.",
            labels: ["processor": name])
        self.triggers = triggers
        self.journal = journal
        self.name = name
        if let (journal, codec) = journal, !journal.recovered.isEmpty {
            // What an earlier run accepted but never handed on waits for the next batch like new data; its segments
            // stay until that batch has gone.
            var recovered: Data?
            var unreadable = 0
            for record in journal.recovered {
                guard let data = codec.decode(record) else {
                    unreadable += 1
                    continue
                }
                if recovered == nil { recovered = data } else { recovered!.append(contentsOf: data) }
            }
            let items = recovered?.itemCount ?? 0
            let bytes = recovered?.estimatedBytes ?? 0
            state.withLock { s in
                s.buffer = recovered
                s.items = items
                s.bytes = bytes
            }
            pending.set(items)
            pendingBytes.set(bytes)
            logger.info(
                "batch processor: data accepted before a crash recovered from its journal",
                metadata: ["processor": "\(name)", "items": "\(items)", "directory": "\(journal.directory)"])
            if unreadable > 0 {
                logger.error(
                    "batch processor: unreadable journal records skipped",
                    metadata: ["processor": "\(name)", "records": "\(unreadable)"])
            }
        }
    }

    @discardableResult
    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        var data = data
        // A batch mixes requests: one client's headers must not travel with another's data (tenants are batched
        // apart with `metadata_keys`, which sets the batches' metadata again).
        if !data.metadata.isEmpty { data.metadata = .empty }
        let count = data.itemCount
        let size = data.estimatedBytes
        // Encoded outside the lock; written under it, so a flush never separates a record from its data.
        let record = journal.map { $0.1.encode(data) }
        let ready: Taken? = try state.withLock { (s) throws(PipelineError) -> Taken? in
            // An empty buffer takes one request of any size, so a large one is not refused for ever.
            let held = s.items + s.handingOn
            let heldBytes = s.bytes + s.handingOnBytes
            if held > 0 {
                guard held + count <= settings.maxPendingItems else {
                    throw PipelineError.retryable(
                        "batch processor is full (\(held) items pending, max_pending_items \(settings.maxPendingItems))",
                        retryAfterSeconds: 1)
                }
                guard heldBytes + size <= settings.maxPendingBytes else {
                    throw PipelineError.retryable(
                        "batch processor is full (\(heldBytes) bytes pending, max_pending_bytes \(settings.maxPendingBytes))",
                        retryAfterSeconds: 1)
                }
            }
            if let journal, let record {
                do throws(BatchJournal.JournalError) {
                    try journal.0.append(record)
                } catch {
                    throw PipelineError.retryable(
                        "batch processor cannot write its journal: \(error)", retryAfterSeconds: 1)
                }
            }
            if s.buffer == nil { s.buffer = data } else { s.buffer!.append(contentsOf: data) }
            s.items += count
            s.bytes += size
            // The gauges are set under the lock, so concurrent callers cannot leave them stale.
            guard s.items >= settings.sendBatchSize, !downstreamRefusing.load(ordering: .relaxed) else {
                setGauges(s)
                return nil
            }
            return take(&s)
        }
        incoming.add(count)
        if let ready { send(ready) }
        // What later stages refuse is only known after the client was answered; it is counted as dropped.
        return .accepted
    }

    /// A buffer taken out to be handed on, with what it counted against the bounds.
    private struct Taken {
        var data: Data
        var items: Int
        var bytes: Int
        var segments: [UInt64]
        var trigger: Trigger
    }

    private func setGauges(_ s: State) {
        pending.set(s.items + s.handingOn)
        pendingBytes.set(s.bytes + s.handingOnBytes)
    }

    /// Takes the buffer out; what it holds keeps counting against the bounds until `send` releases it.
    private func take(_ s: inout State, trigger: Trigger = .size) -> Taken? {
        defer {
            s.handingOn += s.items
            s.handingOnBytes += s.bytes
            s.buffer = nil
            s.items = 0
            s.bytes = 0
            setGauges(s)
        }
        guard s.items > 0, let buffer = s.buffer else { return nil }
        return Taken(
            data: buffer, items: s.items, bytes: s.bytes, segments: journal?.0.takeSegments() ?? [], trigger: trigger)
    }

    /// Sends whatever is buffered now.
    public func flush(trigger: Trigger) {
        let taken = state.withLock { take(&$0, trigger: trigger) }
        if let taken { send(taken) }
    }

    private func send(_ taken: Taken) {
        let (trigger, segments) = (taken.trigger, taken.segments)
        let outcome = send(taken.data, trigger: trigger)
        if case .kept = outcome, trigger != .shutdown {
            // Released when the refused part is back in the buffer (below), in the same critical section.
        } else {
            state.withLock { s in
                s.handingOn -= taken.items
                s.handingOnBytes -= taken.bytes
                setGauges(s)
            }
        }
        switch outcome {
        case .sent:
            journal?.0.release(segments)
            if downstreamRefusing.exchange(false, ordering: .relaxed) {
                logger.info("batch processor: the next stage takes data again", metadata: ["processor": "\(name)"])
            }
        case .kept(let remainder) where trigger != .shutdown:
            // Backpressure instead of loss: the next stage is full (a sending queue), so the batch goes back into
            // the buffer and is tried again at the next timeout. The buffer's bounds (max_pending_bytes, _items) then
            // refuses new data to the clients as retryable, which is how a full queue reaches them.
            let n = remainder.itemCount
            let size = n == taken.items ? taken.bytes : remainder.estimatedBytes
            state.withLock { s in
                // The older data first, as it arrived.
                var merged = remainder
                if let newer = s.buffer { merged.append(contentsOf: newer) }
                s.buffer = merged
                s.items += n
                s.bytes += size
                s.handingOn -= taken.items
                s.handingOnBytes -= taken.bytes
                setGauges(s)
            }
            journal?.0.restore(segments)
            if !downstreamRefusing.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "batch processor: the next stage is full; holding data and refusing new data when the buffer is full",
                    metadata: ["processor": "\(name)", "items": "\(n)"])
            }
        case .kept(let remainder):
            // At shutdown nothing will try again: counted, and kept on disk when journaled.
            dropped.add(remainder.itemCount)
            logger.error(
                "batch processor: the next stage refused data at shutdown",
                metadata: [
                    "processor": "\(name)", "items": "\(remainder.itemCount)",
                    "kept_for_next_start": "\(journal != nil && !segments.isEmpty)",
                ])
        case .lost:
            if !segments.isEmpty {
                // Kept on disk: the next start hands it on again rather than losing what the client was told was
                // accepted.
                logger.warning(
                    "batch processor: next stage refused data; its journal is kept for the next start",
                    metadata: ["segments": "\(segments.count)"])
            }
        }
    }

    private enum SendOutcome {
        case sent
        /// A retryable refusal: what was not handed on yet.
        case kept(Data)
        /// A permanent refusal of some part (counted as dropped).
        case lost
    }

    /// Hands `data` on in batches of at most `send_batch_max_size`.
    private func send(_ data: Data, trigger: Trigger) -> SendOutcome {
        var complete = true
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
            } catch  where error.isRetryable {
                var remainder = batch
                remainder.append(contentsOf: rest)
                return .kept(remainder)
            } catch {
                // The client was already answered: this loss can only be counted and logged.
                complete = false
                dropped.add(n)
                logger.warning(
                    "batch processor: next stage refused a batch; dropped",
                    metadata: ["items": "\(n)", "error": "\(error)"])
            }
        }
        return complete ? .sent : .lost
    }

    /// The timer loop: flushes every `timeout` until cancelled, then flushes what is left.
    public func run<C: Clock>(clock: C) async where C.Duration == Duration {
        await Periodic.run(every: settings.timeout, clock: clock, options: .init(tickAtStop: false)) {
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
