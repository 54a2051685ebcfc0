public import GatewayCore
public import Instrumentation

/// The W3C trace context of a span, carried in a `ServiceContext` so that children and outgoing requests find
/// their parent.
public struct PipelineSpanContext: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// W3C trace flags; bit 0 is "sampled".
    public var traceFlags: UInt8
    /// The W3C `tracestate` header, kept as received.
    public var traceState: String
    /// Whether the context came from another process (`extract`).
    public var isRemote: Bool

    public init(
        traceID: TraceID, spanID: SpanID, traceFlags: UInt8 = 1, traceState: String = "", isRemote: Bool = false
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceFlags = traceFlags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    /// The `traceparent` header value: `00-<trace id>-<span id>-<flags>`.
    public var traceparent: String {
        "00-\(traceID)-\(spanID)-\(Hex.encode([traceFlags]))"
    }

    /// Parses a `traceparent` header; nil when it is malformed or carries an all-zero id, as W3C requires.
    public init?(traceparent: String, traceState: String = "") {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
            let version = Hex.decode(parts[0]), version.count == 1,
            // Version 00 has exactly four fields; later versions may append more.
            version[0] != 0 || parts.count == 4,
            parts[1].count == 32, let traceBytes = Hex.decode(parts[1]), let traceID = TraceID(bytes: traceBytes),
            parts[2].count == 16, let spanBytes = Hex.decode(parts[2]), let spanID = SpanID(bytes: spanBytes),
            parts[3].count == 2, let flags = Hex.decode(parts[3]), flags.count == 1,
            traceID.isValid, spanID.isValid
        else { return nil }
        self.init(traceID: traceID, spanID: spanID, traceFlags: flags[0], traceState: traceState, isRemote: true)
    }
}

/// The `ServiceContext` key under which `PipelineTracer` keeps the current span's context.
public enum PipelineSpanContextKey: ServiceContextKey {
    public typealias Value = PipelineSpanContext
    public static var nameOverride: String? { "otlp-gateway-span-context" }
}

extension ServiceContext {
    /// The W3C context of the current span, if a `PipelineTracer` span or `extract` put one here.
    public var pipelineSpanContext: PipelineSpanContext? {
        get { self[PipelineSpanContextKey.self] }
        set { self[PipelineSpanContextKey.self] = newValue }
    }
}
