internal import Tracing

/// A request on its way from `Engine.submit` to the engine core, with what was known when it arrived.
struct Submission: Sendable {
    var request: GenerationRequest
    var sink: RequestSink
    var arrival: ContinuousClock.Instant
    var tracerArrival: DefaultTracerClock.Timestamp
    var context: ServiceContext
}
