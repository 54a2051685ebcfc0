public import GatewayCore
public import Instrumentation
internal import Synchronization
public import Tracing

/// A swift-distributed-tracing backend that turns ended spans into OTLP spans for the gateway's pipelines.
///
/// Ids are random (W3C): a span started in a context holding a `PipelineSpanContext` (another span's, or one
/// `extract` read from a `traceparent` header) joins that trace as its child; otherwise it starts a trace. Ended
/// spans wait in a bounded buffer until `drain()`; when it is full, further spans are dropped and counted.
public final class PipelineTracer: Tracer, Sendable {
    public typealias Span = PipelineSpan

    /// The default bound of the span buffer.
    public static let defaultMaxBufferedSpans = 10_000
    /// The W3C header carrying the parent's ids.
    public static let traceparentHeader = "traceparent"
    /// The W3C header carrying vendor state.
    public static let tracestateHeader = "tracestate"

    /// The resource drained spans are reported under.
    public let resource: Resource
    public let scope: InstrumentationScope
    /// How many ended spans may wait for `drain()`.
    public let maxBufferedSpans: Int

    private struct Buffer {
        var spans: [GatewayCore.Span] = []
        var dropped = 0
    }

    private let buffer = Mutex(Buffer())

    /// - Parameters:
    ///   - resource: reported with every drained batch (e.g. `service.name`).
    ///   - scopeName: the instrumentation scope; default `otlp-gateway/engine`.
    ///   - maxBufferedSpans: ended spans kept until `drain()`; default 10 000; must be positive.
    public init(
        resource: Resource,
        scopeName: String = PipelineMetricsFactory.defaultScopeName,
        maxBufferedSpans: Int = PipelineTracer.defaultMaxBufferedSpans
    ) {
        precondition(maxBufferedSpans > 0, "PipelineTracer.maxBufferedSpans must be positive, got \(maxBufferedSpans)")
        self.resource = resource
        self.scope = InstrumentationScope(name: scopeName)
        self.maxBufferedSpans = maxBufferedSpans
    }

    // MARK: Tracer

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> PipelineSpan {
        let parentContext = context()
        let parent = parentContext.pipelineSpanContext
        let spanContext = PipelineSpanContext(
            traceID: parent?.traceID ?? Self.randomTraceID(),
            spanID: Self.randomSpanID(),
            traceFlags: parent?.traceFlags ?? 1,
            traceState: parent?.traceState ?? ""
        )
        return PipelineSpan(
            operationName: operationName,
            context: parentContext,
            spanContext: spanContext,
            parentSpanID: parent?.spanID,
            kind: kind,
            startTimeUnixNano: instant().nanosecondsSinceEpoch
        ) { [weak self] span in
            self?.append(span)
        }
    }

    /// Spans go out on `drain()`; there is nothing to flush.
    public func forceFlush() {}

    // MARK: Instrument

    /// Writes the context's span as `traceparent` (and `tracestate` when not empty).
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let spanContext = context.pipelineSpanContext else { return }
        injector.inject(spanContext.traceparent, forKey: Self.traceparentHeader, into: &carrier)
        if !spanContext.traceState.isEmpty {
            injector.inject(spanContext.traceState, forKey: Self.tracestateHeader, into: &carrier)
        }
    }

    /// Reads `traceparent` and `tracestate`; a missing or malformed `traceparent` leaves the context unchanged.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: Self.traceparentHeader, from: carrier),
            let spanContext = PipelineSpanContext(
                traceparent: header,
                traceState: extractor.extract(key: Self.tracestateHeader, from: carrier) ?? ""
            )
        else { return }
        context.pipelineSpanContext = spanContext
    }

    // MARK: Buffer

    /// The ended spans since the last drain, under `resource` and `scope`; nil when there are none.
    public func drain() -> Traces? {
        let spans = buffer.withLock { buffer in
            defer { buffer.spans = [] }
            return buffer.spans
        }
        guard !spans.isEmpty else { return nil }
        return Traces(resourceSpans: [
            ResourceSpans(resource: resource, scopeSpans: [ScopeSpans(scope: scope, spans: spans)])
        ])
    }

    /// Ended spans dropped because the buffer was full, since the tracer was made.
    public var droppedSpanCount: Int { buffer.withLock { $0.dropped } }

    /// Ended spans waiting for `drain()`.
    public var bufferedSpanCount: Int { buffer.withLock { $0.spans.count } }

    private func append(_ span: GatewayCore.Span) {
        buffer.withLock { buffer in
            if buffer.spans.count < maxBufferedSpans {
                buffer.spans.append(span)
            } else {
                buffer.dropped += 1
            }
        }
    }

    // MARK: Ids

    static func randomTraceID() -> TraceID {
        var generator = SystemRandomNumberGenerator()
        while true {
            let id = TraceID(high: generator.next(), low: generator.next())
            if id.isValid { return id }
        }
    }

    static func randomSpanID() -> GatewayCore.SpanID {
        var generator = SystemRandomNumberGenerator()
        while true {
            let id = GatewayCore.SpanID(value: generator.next())
            if id.isValid { return id }
        }
    }
}
