internal import Tracing

/// The spans of one request: `request` with the current phase (`queue`, `prefill` or `decode`) as a child.
struct RequestTrace {
    private let root: any Span
    private var phase: (any Span)?
    private let tracer: any Tracer

    /// Starts `request` and its `queue` child at the arrival time, under `parent`.
    init(
        tracer: any Tracer,
        parent: ServiceContext,
        arrival: DefaultTracerClock.Timestamp,
        request: GenerationRequest,
        modelName: String
    ) {
        self.tracer = tracer
        let root = tracer.startSpan(EngineSpanNames.request, context: parent, ofKind: .server, at: arrival)
        if root.isRecording {
            root.attributes["gen_ai.operation.name"] = "text_completion"
            root.attributes["gen_ai.request.model"] = modelName
            root.attributes["gen_ai.request.max_tokens"] = request.maxNewTokens
            root.attributes["gen_ai.usage.input_tokens"] = request.promptTokens.count
            root.attributes["inference.request.id"] = request.id.rawValue
            if case .temperature(let t, _) = request.sampling {
                root.attributes["gen_ai.request.temperature"] = Double(t)
            }
        }
        self.root = root
        self.phase = tracer.startSpan(EngineSpanNames.queue, context: root.context, ofKind: .internal, at: arrival)
    }

    /// Ends the current phase span and starts the next (nil: none).
    mutating func enter(_ name: String?) {
        phase?.end()
        phase = name.map { tracer.startSpan($0, context: root.context, ofKind: .internal) }
    }

    func preempted(count: Int) {
        root.addEvent(SpanEvent(name: "preempted", attributes: ["inference.preemptions": .int64(Int64(count))]))
    }

    /// Ends every span of the request.
    mutating func finish(
        reason: FinishReason,
        generatedTokens: Int,
        preemptions: Int,
        error: EngineError?
    ) {
        enter(nil)
        if root.isRecording {
            root.attributes["gen_ai.response.finish_reasons"] = [reason.rawValue]
            root.attributes["gen_ai.usage.output_tokens"] = generatedTokens
            root.attributes["inference.preemptions"] = preemptions
        }
        if let error, reason == .failed {
            root.recordError(error)
            root.setStatus(SpanStatus(code: .error, message: error.description))
        }
        root.end()
    }
}
