public import GatewayCore

/// Export request bodies of whichever signal `Data` is, for code generic over `TelemetryData` that keeps requests
/// as bytes and needs them back (the batch journal, an exporter's sending queue handed over to another).
public enum OTLPRequest {
    /// `data` as one export request, in protobuf or OTLP/JSON.
    public static func encode<Data: TelemetryData>(_ data: Data, json: Bool = false) -> [UInt8] {
        switch data {
        case let t as Traces: return json ? OTLPJSON.encodeTraces(t) : OTLPProtobuf.encode(t)
        case let m as Metrics: return json ? OTLPJSON.encodeMetrics(m) : OTLPProtobuf.encode(m)
        case let l as Logs: return json ? OTLPJSON.encodeLogs(l) : OTLPProtobuf.encode(l)
        default: preconditionFailure("OTLP requests carry traces, metrics or logs")
        }
    }

    /// An export request of `Data`'s signal as data again (protobuf traces stay in their wire form); nil when the
    /// bytes do not decode.
    public static func decode<Data: TelemetryData>(
        _ body: [UInt8], as _: Data.Type, json: Bool = false, arena: ProtobufArena = ProtobufArena()
    ) -> Data? {
        body.withUnsafeBytes { raw -> Data? in
            switch Data.signal {
            case .traces:
                return (try? json ? OTLPJSON.decodeTraces(raw) : OTLPProtobuf.wireTraces(raw)) as? Data
            case .metrics:
                return (try? json ? OTLPJSON.decodeMetrics(raw) : OTLPProtobuf.decodeMetrics(raw, arena: arena))
                    as? Data
            case .logs:
                return (try? json ? OTLPJSON.decodeLogs(raw) : OTLPProtobuf.decodeLogs(raw, arena: arena)) as? Data
            }
        }
    }
}
