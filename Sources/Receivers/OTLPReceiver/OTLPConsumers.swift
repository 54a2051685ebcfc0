public import GatewayCore

/// Where a receiver hands decoded data: one consumer per signal, nil when no pipeline of that signal uses it
/// (the gRPC method then answers UNIMPLEMENTED and the HTTP path 404, as the Collector does).
public struct OTLPConsumers: Sendable {
    public var traces: (any Consumer<Traces>)?
    public var metrics: (any Consumer<Metrics>)?
    public var logs: (any Consumer<Logs>)?
    /// The `memory_limiter`s of the pipelines these consumers feed, read before a request body is buffered or
    /// decoded: over the limit a request is answered UNAVAILABLE / 503 without spending memory on its body.
    public var admission: MemoryAdmission

    public init(
        traces: (any Consumer<Traces>)? = nil, metrics: (any Consumer<Metrics>)? = nil,
        logs: (any Consumer<Logs>)? = nil,
        admission: MemoryAdmission = MemoryAdmission()
    ) {
        self.traces = traces
        self.metrics = metrics
        self.logs = logs
        self.admission = admission
    }
}
