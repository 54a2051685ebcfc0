/// A batch of log records grouped by resource and scope, as in `ExportLogsServiceRequest`.
public struct Logs: Sendable, Hashable {
    public var resourceLogs: [ResourceLogs]
    /// The request headers a receiver kept (`include_metadata`); not part of equality.
    public var metadata = ClientMetadata.empty

    public static func == (a: Logs, b: Logs) -> Bool { a.resourceLogs == b.resourceLogs }

    public func hash(into hasher: inout Hasher) { hasher.combine(resourceLogs) }

    public init(resourceLogs: [ResourceLogs] = []) { self.resourceLogs = resourceLogs }

    public var logRecordCount: Int {
        var n = 0
        for r in resourceLogs { for s in r.scopeLogs { n += s.logRecords.count } }
        return n
    }
}

/// Log records of one resource (a process, a pod), grouped by instrumentation scope (OTLP `ResourceLogs`).
public struct ResourceLogs: Sendable, Hashable {
    public var resource: Resource
    public var scopeLogs: [ScopeLogs]
    public var schemaURL: String

    public init(resource: Resource = Resource(), scopeLogs: [ScopeLogs] = [], schemaURL: String = "") {
        self.resource = resource
        self.scopeLogs = scopeLogs
        self.schemaURL = schemaURL
    }
}

/// Log records emitted through one instrumentation scope (OTLP `ScopeLogs`).
public struct ScopeLogs: Sendable, Hashable {
    public var scope: InstrumentationScope
    public var logRecords: [LogRecord]
    public var schemaURL: String

    public init(
        scope: InstrumentationScope = InstrumentationScope(), logRecords: [LogRecord] = [], schemaURL: String = ""
    ) {
        self.scope = scope
        self.logRecords = logRecords
        self.schemaURL = schemaURL
    }
}

/// One OTLP log record.
public struct LogRecord: Sendable, Hashable {
    public var timeUnixNano: UInt64
    public var observedTimeUnixNano: UInt64
    public var severityNumber: Int32
    public var severityText: String
    public var body: AnyValue
    public var attributes: Attributes
    public var droppedAttributesCount: UInt32
    public var flags: UInt32
    public var traceID: TraceID
    public var spanID: SpanID
    public var eventName: String

    public init(
        timeUnixNano: UInt64 = 0,
        observedTimeUnixNano: UInt64 = 0,
        severityNumber: Int32 = 0,
        severityText: String = "",
        body: AnyValue = .empty,
        attributes: Attributes = Attributes(),
        droppedAttributesCount: UInt32 = 0,
        flags: UInt32 = 0,
        traceID: TraceID = .invalid,
        spanID: SpanID = .invalid,
        eventName: String = ""
    ) {
        self.timeUnixNano = timeUnixNano
        self.observedTimeUnixNano = observedTimeUnixNano
        self.severityNumber = severityNumber
        self.severityText = severityText
        self.body = body
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.flags = flags
        self.traceID = traceID
        self.spanID = spanID
        self.eventName = eventName
    }
}
