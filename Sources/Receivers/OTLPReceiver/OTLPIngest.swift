internal import GatewayCore
internal import OTLPWire
internal import SelfTelemetry

/// Decoding and handing data to the pipeline, shared by the gRPC and HTTP transports.
///
/// A value per transport; the arena it decodes into belongs to the caller (one per connection).
struct OTLPIngest: Sendable {
    enum Encoding: Sendable { case protobuf, json }

    enum Result {
        /// The response message (an `Export*ServiceResponse`), already encoded.
        case accepted(response: [UInt8])
        /// The body could not be decoded: INVALID_ARGUMENT / 400.
        case invalid(String)
        /// The pipeline refused: UNAVAILABLE / 503 (retryable) or INTERNAL / 500 (permanent).
        case refused(PipelineError)
        /// No pipeline takes this signal.
        case notConfigured
    }

    let consumers: OTLPConsumers
    let telemetry: ReceiverTelemetry
    /// Keep request headers with the data (`include_metadata`).
    var includeMetadata = false

    func hasConsumer(for signal: Signal) -> Bool {
        switch signal {
        case .traces: return consumers.traces != nil
        case .metrics: return consumers.metrics != nil
        case .logs: return consumers.logs != nil
        }
    }

    /// Whether the memory limiters admit a request of `signal` now; no side effects (asked on headers).
    func admits(_ signal: Signal) -> Bool { consumers.admission.admits(signal) }

    /// The memory limiters' refusal for a request of `signal`, checked before its body is buffered or decoded;
    /// nil admits it. `refusedEarly`: the body was already declined on the headers, so refuse regardless of the
    /// state now. Counts the request as refused (not its items: nothing was decoded).
    func memoryRefusal(for signal: Signal, refusedEarly: Bool = false) -> PipelineError? {
        if !refusedEarly, consumers.admission.admits(signal) { return nil }
        telemetry.count(.refused)
        return MemoryPressure.refusal()
    }

    func ingest(
        _ signal: Signal, body: UnsafeRawBufferPointer, encoding: Encoding, arena: ProtobufArena,
        metadata: ClientMetadata = .empty
    ) -> Result {
        if encoding == .json, body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            // An empty protobuf body is a valid empty message; empty JSON is no JSON value at all.
            telemetry.count(.failure)
            return .invalid("empty JSON body: expected an OTLP \(signal.rawValue) export request object")
        }
        do throws(OTLPDecodingError) {
            switch signal {
            case .traces:
                guard let consumer = consumers.traces else { return .notConfigured }
                let data =
                    try encoding == .protobuf
                    ? OTLPProtobuf.wireTraces(body) : OTLPJSON.wireTraces(body)
                return deliver(data, to: consumer, encoding: encoding, metadata: metadata)
            case .metrics:
                guard let consumer = consumers.metrics else { return .notConfigured }
                let data =
                    try encoding == .protobuf
                    ? OTLPProtobuf.decodeMetrics(body, arena: arena) : OTLPJSON.decodeMetrics(body)
                return deliver(data, to: consumer, encoding: encoding, metadata: metadata)
            case .logs:
                guard let consumer = consumers.logs else { return .notConfigured }
                let data =
                    try encoding == .protobuf ? OTLPProtobuf.decodeLogs(body, arena: arena) : OTLPJSON.decodeLogs(body)
                return deliver(data, to: consumer, encoding: encoding, metadata: metadata)
            }
        } catch {
            telemetry.count(.failure)
            return .invalid(error.message)
        }
    }

    // MARK: -

    private func deliver<D: TelemetryData>(
        _ data: D, to consumer: any Consumer<D>, encoding: Encoding, metadata: ClientMetadata
    ) -> Result {
        var data = data
        data.metadata = metadata
        let items = data.itemCount
        do {
            // An empty request is valid (the spec says answer success) and skips the pipeline.
            let result = items > 0 ? try consumer.consume(data) : .accepted
            let rejected = Swift.min(result.rejectedItems, items)
            telemetry.accepted[D.signal]!.add(items - rejected)
            telemetry.refused[D.signal]!.add(rejected)
            telemetry.count(.success)
            switch encoding {
            case .protobuf:
                return .accepted(
                    response: OTLPProtobuf.encodeExportResponse(rejected: Int64(rejected), errorMessage: result.message)
                )
            case .json:
                return .accepted(
                    response: OTLPJSON.encodeExportResponse(
                        rejected: Int64(rejected), errorMessage: result.message, signal: D.signal))
            }
        } catch {
            telemetry.refused[D.signal]!.add(items)
            telemetry.count(.refused)
            return .refused(error)
        }
    }
}
