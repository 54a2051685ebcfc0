public import GatewayCore
public import Logging
internal import Synchronization

/// A consumer that keeps what it is given, or refuses (retryably) while `refusing` is set: the pipeline end of
/// component tests.
public final class RecordingConsumer<Data: TelemetryData>: Consumer, Sendable {
    private let state = Mutex<(received: [Data], refusing: Bool)>(([], false))

    public init(refusing: Bool = false) { state.withLock { $0.refusing = refusing } }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let refusing = state.withLock { state in
            if !state.refusing { state.received.append(data) }
            return state.refusing
        }
        if refusing { throw PipelineError.retryable("full") }
        return .accepted
    }

    public var received: [Data] { state.withLock { $0.received } }

    public func setRefusing(_ refusing: Bool) { state.withLock { $0.refusing = refusing } }
}

/// Keeps every log event, to count and read the lines a component writes.
public final class CapturedLog: Sendable {
    private let events = Mutex<[(level: Logger.Level, message: String, line: String)]>([])

    public init() {}

    /// Each event as `message key=value ...`, metadata sorted by key.
    public var messages: [String] { events.withLock { $0.map(\.line) } }

    /// Each event's level and message alone, as `level: message`.
    public var levelledMessages: [String] {
        events.withLock { $0.map { "\($0.level): \($0.message)" } }
    }

    public var logger: Logger { Logger(label: "test") { _ in Handler(log: self) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let line = ([event.message.description] + extra).joined(separator: " ")
            log.events.withLock { $0.append((event.level, event.message.description, line)) }
        }
    }
}
