public import GatewayCore
internal import Synchronization
public import Tracing

/// A span of `PipelineTracer`: records attributes, events, links and status until it ends, then hands an OTLP
/// span to its tracer's buffer. Changes after `end` are ignored.
public final class PipelineSpan: Tracing.Span, Sendable {
    /// The context the span was started in, with this span's `PipelineSpanContext` in it.
    public let context: ServiceContext
    /// This span's W3C context.
    public let spanContext: PipelineSpanContext
    /// The parent's span id; nil for a root span.
    public let parentSpanID: GatewayCore.SpanID?
    public let kind: Tracing.SpanKind
    public let startTimeUnixNano: UInt64

    private struct State {
        var operationName: String
        var attributes: SpanAttributes = [:]
        var events: [Tracing.SpanEvent] = []
        var links: [Tracing.SpanLink] = []
        var status: Tracing.SpanStatus?
        var isRecording = true
    }

    private let state: Mutex<State>
    private let onEnd: @Sendable (GatewayCore.Span) -> Void

    init(
        operationName: String,
        context: ServiceContext,
        spanContext: PipelineSpanContext,
        parentSpanID: GatewayCore.SpanID?,
        kind: Tracing.SpanKind,
        startTimeUnixNano: UInt64,
        onEnd: @escaping @Sendable (GatewayCore.Span) -> Void
    ) {
        var context = context
        context.pipelineSpanContext = spanContext
        self.context = context
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.state = Mutex(State(operationName: operationName))
        self.onEnd = onEnd
    }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { if $0.isRecording { $0.operationName = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { if $0.isRecording { $0.attributes = newValue } } }
    }

    public var isRecording: Bool { state.withLock { $0.isRecording } }

    public func setStatus(_ status: Tracing.SpanStatus) {
        state.withLock { state in
            guard state.isRecording else { return }
            // OTel: once Ok, a span's status is final.
            if state.status?.code == .ok { return }
            state.status = status
        }
    }

    public func addEvent(_ event: Tracing.SpanEvent) {
        state.withLock { if $0.isRecording { $0.events.append(event) } }
    }

    public func addLink(_ link: Tracing.SpanLink) {
        state.withLock { if $0.isRecording { $0.links.append(link) } }
    }

    /// Records the error as an OpenTelemetry `exception` event (`exception.type`, `exception.message`).
    public func recordError<Instant: TracerInstant>(
        _ error: any Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        var eventAttributes = attributes
        eventAttributes["exception.type"] = String(reflecting: type(of: error))
        eventAttributes["exception.message"] = String(describing: error)
        addEvent(Tracing.SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let ended = state.withLock { state -> State? in
            guard state.isRecording else { return nil }
            state.isRecording = false
            return state
        }
        guard let ended else { return }
        onEnd(otlpSpan(ended, endTimeUnixNano: instant().nanosecondsSinceEpoch))
    }

    private func otlpSpan(_ state: State, endTimeUnixNano: UInt64) -> GatewayCore.Span {
        GatewayCore.Span(
            traceID: spanContext.traceID,
            spanID: spanContext.spanID,
            traceState: spanContext.traceState,
            parentSpanID: parentSpanID ?? .invalid,
            flags: UInt32(spanContext.traceFlags),
            name: state.operationName,
            kind: OTLPConversion.kind(kind),
            startTimeUnixNano: startTimeUnixNano,
            endTimeUnixNano: endTimeUnixNano,
            attributes: OTLPConversion.attributes(state.attributes),
            events: state.events.map {
                GatewayCore.SpanEvent(
                    timeUnixNano: $0.nanosecondsSinceEpoch,
                    name: $0.name,
                    attributes: OTLPConversion.attributes($0.attributes)
                )
            },
            links: state.links.compactMap { link in
                guard let linked = link.context.pipelineSpanContext else { return nil }
                return GatewayCore.SpanLink(
                    traceID: linked.traceID,
                    spanID: linked.spanID,
                    traceState: linked.traceState,
                    attributes: OTLPConversion.attributes(link.attributes),
                    flags: UInt32(linked.traceFlags)
                )
            },
            status: OTLPConversion.status(state.status)
        )
    }
}
