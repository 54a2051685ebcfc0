public import GatewayCore
public import OTTL

/// What an editor works on: one item of a context, readable by conditions and writable by editors.
protocol Editable: OTTLItem {
    /// Sets a scalar path (`name`, `attributes["k"]`); false when the context has no such settable path.
    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool
    /// Edits the map at `path` (`attributes`); false when the path is not a map of this context.
    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool
}

/// The contexts of the Collector's transform processor.
enum TransformContext: String, CaseIterable, Sendable {
    case resource, scope, span, spanevent, metric, datapoint, log

    /// Whether the context can read `path` (conditions and values); settable paths are checked by `set` at run
    /// time, where a path the context cannot set is skipped.
    func knows(_ path: OTTLPath) -> Bool {
        switch self {
        case .resource: return ["attributes", "dropped_attributes_count"].contains(path.names.joined(separator: "."))
        case .scope:
            return ["name", "version", "attributes"].contains(path.names.joined(separator: "."))
                || OTTLSpan.knows(path) && path.names.first == "resource"
        case .span: return OTTLSpan.knows(path)
        case .spanevent: return OTTLSpanEvent.knows(path)
        case .metric: return OTTLMetric.knows(path)
        case .datapoint: return OTTLDataPoint.knows(path)
        case .log: return OTTLLogRecord.knows(path)
        }
    }

    /// The contexts a signal's statements may name.
    static func allowed(for signal: Signal) -> [TransformContext] {
        switch signal {
        case .traces: return [.resource, .scope, .span, .spanevent]
        case .metrics: return [.resource, .scope, .metric, .datapoint]
        case .logs: return [.resource, .scope, .log]
        }
    }
}

/// A map edit on `attributes` or a set of `attributes["k"]`, shared by every context.
private func setAttribute(_ attributes: inout Attributes, _ path: OTTLPath, _ value: AnyValue) -> Bool {
    guard path.names == ["attributes"], let key = path.keys.first, path.keys.count == 1 else { return false }
    if case .empty = value {
        attributes.remove(key)
    } else {
        attributes.set(key, value)
    }
    return true
}

private func stringValue(_ value: AnyValue) -> String? {
    if case .string(let s) = value { return s }
    return nil
}

struct EditableResource: Editable {
    var resource: Resource

    func value(at path: OTTLPath) -> OTTLValue {
        if path.names == ["attributes"] {
            guard let key = path.keys.first else { return .other("map") }
            return OTTLValue(resource.attributes[key])
        }
        if path.names == ["dropped_attributes_count"] { return .int(Int64(resource.droppedAttributesCount)) }
        return .nil
    }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool { setAttribute(&resource.attributes, path, value) }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool {
        guard path.names == ["attributes"], path.keys.isEmpty else { return false }
        body(&resource.attributes)
        return true
    }
}

struct EditableScope: Editable {
    var scope: InstrumentationScope
    let resource: Resource

    func value(at path: OTTLPath) -> OTTLValue {
        switch path.names {
        case ["name"]: return .string(scope.name)
        case ["version"]: return .string(scope.version)
        case ["attributes"]:
            guard let key = path.keys.first else { return .other("map") }
            return OTTLValue(scope.attributes[key])
        default:
            return OTTLSpan(span: Span(traceID: .invalid, spanID: .invalid, name: ""), resource: resource, scope: scope)
                .value(at: path)
        }
    }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool {
        switch path.names {
        case ["name"]:
            guard let s = stringValue(value) else { return false }
            scope.name = s
            return true
        case ["version"]:
            guard let s = stringValue(value) else { return false }
            scope.version = s
            return true
        default: return setAttribute(&scope.attributes, path, value)
        }
    }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool {
        guard path.names == ["attributes"], path.keys.isEmpty else { return false }
        body(&scope.attributes)
        return true
    }
}

struct EditableSpan: Editable {
    var span: Span
    let resource: Resource
    let scope: InstrumentationScope

    func value(at path: OTTLPath) -> OTTLValue {
        OTTLSpan(span: span, resource: resource, scope: scope).value(at: path)
    }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool {
        switch (path.names, value) {
        case (["name"], .string(let s)): span.name = s
        case (["status", "message"], .string(let s)): span.status.message = s
        case (["status", "code"], .int(let i)):
            span.status.code = SpanStatus.Code(rawValue: Int32(truncatingIfNeeded: i))
        case (["kind"], .int(let i)): span.kind = SpanKind(rawValue: Int32(truncatingIfNeeded: i))
        case (["trace_state"], .string(let s)): span.traceState = s
        default: return setAttribute(&span.attributes, path, value)
        }
        return true
    }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool {
        guard path.names == ["attributes"], path.keys.isEmpty else { return false }
        body(&span.attributes)
        return true
    }
}

struct EditableSpanEvent: Editable {
    var event: SpanEvent
    let span: OTTLSpan

    func value(at path: OTTLPath) -> OTTLValue { OTTLSpanEvent(event: event, span: span).value(at: path) }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool {
        if path.names == ["name"] {
            guard let s = stringValue(value) else { return false }
            event.name = s
            return true
        }
        return setAttribute(&event.attributes, path, value)
    }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool {
        guard path.names == ["attributes"], path.keys.isEmpty else { return false }
        body(&event.attributes)
        return true
    }
}

struct EditableMetric: Editable {
    var metric: Metric
    let resource: Resource
    let scope: InstrumentationScope

    func value(at path: OTTLPath) -> OTTLValue {
        OTTLMetric(metric: metric, resource: resource, scope: scope).value(at: path)
    }

    func anyDataPointHasAttribute(key: String, value: String?) -> Bool {
        OTTLMetric(metric: metric, resource: resource, scope: scope).anyDataPointHasAttribute(key: key, value: value)
    }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool {
        guard let s = stringValue(value) else { return false }
        switch path.names {
        case ["name"]: metric.name = s
        case ["description"]: metric.description = s
        case ["unit"]: metric.unit = s
        default: return false
        }
        return true
    }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool { false }
}

struct EditableDataPoint: Editable {
    var attributes: Attributes
    let fields: [String: OTTLValue]
    let metric: OTTLMetric

    func value(at path: OTTLPath) -> OTTLValue {
        OTTLDataPoint(attributes: attributes, fields: fields, metric: metric).value(at: path)
    }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool { setAttribute(&attributes, path, value) }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool {
        guard path.names == ["attributes"], path.keys.isEmpty else { return false }
        body(&attributes)
        return true
    }
}

struct EditableLogRecord: Editable {
    var record: LogRecord
    let resource: Resource
    let scope: InstrumentationScope

    func value(at path: OTTLPath) -> OTTLValue {
        OTTLLogRecord(record: record, resource: resource, scope: scope).value(at: path)
    }

    mutating func set(_ path: OTTLPath, _ value: AnyValue) -> Bool {
        switch (path.names, value) {
        case (["body"], _): record.body = value
        case (["severity_text"], .string(let s)): record.severityText = s
        case (["severity_number"], .int(let i)): record.severityNumber = Int32(truncatingIfNeeded: i)
        case (["event_name"], .string(let s)): record.eventName = s
        default: return setAttribute(&record.attributes, path, value)
        }
        return true
    }

    mutating func editMap(_ path: OTTLPath, _ body: (inout Attributes) -> Void) -> Bool {
        guard path.names == ["attributes"], path.keys.isEmpty else { return false }
        body(&record.attributes)
        return true
    }
}
