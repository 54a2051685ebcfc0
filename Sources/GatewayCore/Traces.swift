internal import Synchronization

/// A batch of spans grouped by resource and scope, as in `ExportTraceServiceRequest`.
///
/// Spans that arrived as OTLP protobuf travel as the bytes they came in (`wire`) until something needs their
/// fields: forwarding them decodes and encodes nothing. Reading `resourceSpans` decodes them once (the result is
/// kept); setting it makes the value a model again.
public struct Traces: Sendable, Hashable {
    private var model: [ResourceSpans]
    /// The validated request bytes, when these traces have not been decoded into the model.
    public private(set) var wire: WireTraces?
    /// The request headers a receiver kept (`include_metadata`); not part of equality.
    public var metadata = ClientMetadata.empty

    public init(resourceSpans: [ResourceSpans] = []) {
        self.model = resourceSpans
        self.wire = nil
    }

    /// Traces that stay in their wire form until a component reads their fields.
    public init(wire: WireTraces) {
        self.model = []
        self.wire = wire
    }

    public var resourceSpans: [ResourceSpans] {
        get { wire?.decoded ?? model }
        set {
            model = newValue
            wire = nil
        }
    }

    /// The number of spans, the unit the Collector counts accepted and refused traces in.
    public var spanCount: Int {
        if let wire { return wire.spanCount }
        var n = 0
        for r in model { for s in r.scopeSpans { n += s.spans.count } }
        return n
    }

    /// The number of `ResourceSpans` entries, without decoding.
    public var resourceSpanCount: Int { wire?.resourceSpanCount ?? model.count }

    public static func == (a: Traces, b: Traces) -> Bool { a.resourceSpans == b.resourceSpans }

    public func hash(into hasher: inout Hasher) { hasher.combine(resourceSpans) }
}

/// How wire-form traces are decoded into the model and the model encoded back, supplied by the wire module (the
/// core does no I/O and knows no protobuf).
public struct WireTracesCodec: Sendable {
    /// Decodes one validated request; nil only when memory for the decode cannot be had.
    public var decode: @Sendable ([UInt8]) -> [ResourceSpans]?
    /// Encodes the model as one request.
    public var encode: @Sendable ([ResourceSpans]) -> [UInt8]

    public init(
        decode: @escaping @Sendable ([UInt8]) -> [ResourceSpans]?,
        encode: @escaping @Sendable ([ResourceSpans]) -> [UInt8]
    ) {
        self.decode = decode
        self.encode = encode
    }
}

/// Validated `ExportTraceServiceRequest` encodings, forwarded as they are. A batch of them is the list of their
/// encodings: concatenating encodings of a message with only a repeated field gives a valid message holding all
/// their entries, so the exporter sends the concatenation without decoding.
public final class WireTraces: Sendable {
    /// One encoded request per entry, in arrival order.
    public let segments: [[UInt8]]
    /// Spans in each segment.
    public let segmentSpans: [Int]
    /// `ResourceSpans` entries in each segment.
    public let segmentResources: [Int]
    public let spanCount: Int
    public let resourceSpanCount: Int
    /// The bytes of all segments together.
    public let byteCount: Int
    public let codec: WireTracesCodec
    private let cache = Mutex<[ResourceSpans]?>(nil)

    public init(segments: [[UInt8]], segmentSpans: [Int], segmentResources: [Int], codec: WireTracesCodec) {
        self.segments = segments
        self.segmentSpans = segmentSpans
        self.segmentResources = segmentResources
        self.codec = codec
        var spans = 0
        var resources = 0
        var bytes = 0
        for i in segments.indices {
            spans += segmentSpans[i]
            resources += segmentResources[i]
            bytes += segments[i].count
        }
        self.spanCount = spans
        self.resourceSpanCount = resources
        self.byteCount = bytes
    }

    /// The model, decoded on first use and kept.
    public var decoded: [ResourceSpans] {
        if let done = cache.withLock({ $0 }) { return done }
        var all: [ResourceSpans] = []
        all.reserveCapacity(resourceSpanCount)
        for segment in segments { all.append(contentsOf: codec.decode(segment) ?? []) }
        cache.withLock { $0 = all }
        return all
    }

    /// All segments as one request.
    public var concatenated: [UInt8] {
        if segments.count == 1 { return segments[0] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for segment in segments { bytes.append(contentsOf: segment) }
        return bytes
    }
}

/// Spans of one resource, grouped by instrumentation scope (OTLP `ResourceSpans`).
public struct ResourceSpans: Sendable, Hashable {
    public var resource: Resource
    public var scopeSpans: [ScopeSpans]
    public var schemaURL: String

    public init(resource: Resource = Resource(), scopeSpans: [ScopeSpans] = [], schemaURL: String = "") {
        self.resource = resource
        self.scopeSpans = scopeSpans
        self.schemaURL = schemaURL
    }
}

/// Spans recorded through one instrumentation scope (OTLP `ScopeSpans`).
public struct ScopeSpans: Sendable, Hashable {
    public var scope: InstrumentationScope
    public var spans: [Span]
    public var schemaURL: String

    public init(scope: InstrumentationScope = InstrumentationScope(), spans: [Span] = [], schemaURL: String = "") {
        self.scope = scope
        self.spans = spans
        self.schemaURL = schemaURL
    }
}

/// OTLP `Span.SpanKind`; unknown wire values are kept so they round-trip.
public struct SpanKind: Sendable, Hashable, RawRepresentable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = SpanKind(rawValue: 0)
    public static let `internal` = SpanKind(rawValue: 1)
    public static let server = SpanKind(rawValue: 2)
    public static let client = SpanKind(rawValue: 3)
    public static let producer = SpanKind(rawValue: 4)
    public static let consumer = SpanKind(rawValue: 5)

    public var name: String {
        switch rawValue {
        case 0: return "Unspecified"
        case 1: return "Internal"
        case 2: return "Server"
        case 3: return "Client"
        case 4: return "Producer"
        case 5: return "Consumer"
        default: return "Unknown(\(rawValue))"
        }
    }
}

/// OTLP `Status`.
public struct SpanStatus: Sendable, Hashable {
    /// The status code: unset, ok or error; other values are kept as received.
    public struct Code: Sendable, Hashable, RawRepresentable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let unset = Code(rawValue: 0)
        public static let ok = Code(rawValue: 1)
        public static let error = Code(rawValue: 2)

        public var name: String {
            switch rawValue {
            case 0: return "Unset"
            case 1: return "Ok"
            case 2: return "Error"
            default: return "Unknown(\(rawValue))"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(code: Code = .unset, message: String = "") {
        self.code = code
        self.message = message
    }
}

/// A timestamped event within a span, with its attributes (OTLP `Span.Event`).
public struct SpanEvent: Sendable, Hashable {
    public var timeUnixNano: UInt64
    public var name: String
    public var attributes: Attributes
    public var droppedAttributesCount: UInt32

    public init(
        timeUnixNano: UInt64, name: String, attributes: Attributes = Attributes(), droppedAttributesCount: UInt32 = 0
    ) {
        self.timeUnixNano = timeUnixNano
        self.name = name
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }
}

/// A link from a span to a span of the same or another trace (OTLP `Span.Link`).
public struct SpanLink: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var attributes: Attributes
    public var droppedAttributesCount: UInt32
    public var flags: UInt32

    public init(
        traceID: TraceID,
        spanID: SpanID,
        traceState: String = "",
        attributes: Attributes = Attributes(),
        droppedAttributesCount: UInt32 = 0,
        flags: UInt32 = 0
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.flags = flags
    }
}

/// One OTLP span.
public struct Span: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var parentSpanID: SpanID
    public var flags: UInt32
    public var name: String
    public var kind: SpanKind
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64
    public var attributes: Attributes
    public var droppedAttributesCount: UInt32
    public var events: [SpanEvent]
    public var droppedEventsCount: UInt32
    public var links: [SpanLink]
    public var droppedLinksCount: UInt32
    public var status: SpanStatus

    public init(
        traceID: TraceID,
        spanID: SpanID,
        traceState: String = "",
        parentSpanID: SpanID = .invalid,
        flags: UInt32 = 0,
        name: String,
        kind: SpanKind = .internal,
        startTimeUnixNano: UInt64 = 0,
        endTimeUnixNano: UInt64 = 0,
        attributes: Attributes = Attributes(),
        droppedAttributesCount: UInt32 = 0,
        events: [SpanEvent] = [],
        droppedEventsCount: UInt32 = 0,
        links: [SpanLink] = [],
        droppedLinksCount: UInt32 = 0,
        status: SpanStatus = SpanStatus()
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.parentSpanID = parentSpanID
        self.flags = flags
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.events = events
        self.droppedEventsCount = droppedEventsCount
        self.links = links
        self.droppedLinksCount = droppedLinksCount
        self.status = status
    }
}
