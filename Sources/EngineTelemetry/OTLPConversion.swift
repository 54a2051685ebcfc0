internal import GatewayCore
internal import Tracing

/// swift-distributed-tracing values as their OTLP counterparts.
enum OTLPConversion {
    static func kind(_ kind: Tracing.SpanKind) -> GatewayCore.SpanKind {
        switch kind {
        case .server: return .server
        case .client: return .client
        case .producer: return .producer
        case .consumer: return .consumer
        case .internal: return .internal
        }
    }

    static func status(_ status: Tracing.SpanStatus?) -> GatewayCore.SpanStatus {
        guard let status else { return GatewayCore.SpanStatus() }
        switch status.code {
        case .ok: return GatewayCore.SpanStatus(code: .ok)
        // OTel keeps a message only on errors.
        case .error: return GatewayCore.SpanStatus(code: .error, message: status.message ?? "")
        }
    }

    static func attributes(_ attributes: SpanAttributes) -> Attributes {
        var list: [Attribute] = []
        list.reserveCapacity(attributes.count)
        attributes.forEach { key, value in
            if let value = anyValue(value) { list.append(Attribute(key: key, value: value)) }
        }
        return Attributes(list)
    }

    static func anyValue(_ value: SpanAttribute) -> AnyValue? {
        switch value {
        case .int32(let v): return .int(Int64(v))
        case .int64(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .int32Array(let v): return .array(v.map { .int(Int64($0)) })
        case .int64Array(let v): return .array(v.map { .int($0) })
        case .doubleArray(let v): return .array(v.map { .double($0) })
        case .boolArray(let v): return .array(v.map { .bool($0) })
        case .stringArray(let v): return .array(v.map { .string($0) })
        case .stringConvertible(let v): return .string(v.description)
        case .stringConvertibleArray(let v): return .array(v.map { .string($0.description) })
        default: return nil
        }
    }
}
