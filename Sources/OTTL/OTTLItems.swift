public import GatewayCore

/// OTTL values of the model's attributes.
extension OTTLValue {
    public init(_ value: AnyValue?) {
        switch value {
        case nil, .empty?: self = .nil
        case .string(let s)?: self = .string(s)
        case .int(let i)?: self = .int(i)
        case .double(let d)?: self = .double(d)
        case .bool(let b)?: self = .bool(b)
        case let other?: self = .other(other.displayString)
        }
    }
}

/// The paths every context shares: `resource.attributes["k"]`, `instrumentation_scope.*`.
enum CommonPaths {
    static func value(_ path: OTTLPath, resource: Resource, scope: InstrumentationScope) -> OTTLValue? {
        switch path.names.first {
        case "resource":
            guard path.names.count == 2 else { return nil }
            switch path.names[1] {
            case "attributes":
                guard let key = path.keys.first else { return .other("map") }
                return OTTLValue(resource.attributes[key])
            case "dropped_attributes_count": return .int(Int64(resource.droppedAttributesCount))
            default: return nil
            }
        case "instrumentation_scope":
            guard path.names.count == 2 else { return nil }
            switch path.names[1] {
            case "name": return .string(scope.name)
            case "version": return .string(scope.version)
            case "attributes":
                guard let key = path.keys.first else { return .other("map") }
                return OTTLValue(scope.attributes[key])
            default: return nil
            }
        default:
            return nil
        }
    }
}

/// A span, in the `span` context.
public struct OTTLSpan: OTTLItem, Sendable {
    public let span: Span
    public let resource: Resource
    public let scope: InstrumentationScope

    public init(span: Span, resource: Resource, scope: InstrumentationScope) {
        self.span = span
        self.resource = resource
        self.scope = scope
    }

    public func value(at path: OTTLPath) -> OTTLValue {
        if let common = CommonPaths.value(path, resource: resource, scope: scope) { return common }
        return Self.spanValue(span, path.names, path.keys) ?? .nil
    }

    static func spanValue(_ span: Span, _ names: [String], _ keys: [String]) -> OTTLValue? {
        // The context's own prefix (`span.name`), as newer Collector configs write paths.
        if names.count > 1, names[0] == "span" { return spanValue(span, Array(names.dropFirst()), keys) }
        switch names {
        case ["start_time"]: return .int(Int64(bitPattern: span.startTimeUnixNano))
        case ["end_time"]: return .int(Int64(bitPattern: span.endTimeUnixNano))
        case ["name"]: return .string(span.name)
        case ["kind"]: return .int(Int64(span.kind.rawValue))
        case ["status", "code"]: return .int(Int64(span.status.code.rawValue))
        case ["status", "message"]: return .string(span.status.message)
        case ["start_time_unix_nano"]: return .int(Int64(bitPattern: span.startTimeUnixNano))
        case ["end_time_unix_nano"]: return .int(Int64(bitPattern: span.endTimeUnixNano))
        case ["trace_state"]: return .string(span.traceState)
        case ["dropped_attributes_count"]: return .int(Int64(span.droppedAttributesCount))
        case ["attributes"]:
            guard let key = keys.first else { return .other("map") }
            return OTTLValue(span.attributes[key])
        default: return nil
        }
    }

    /// Whether the `span` context has `path`.
    public static func knows(_ path: OTTLPath) -> Bool {
        let probe = Span(traceID: .invalid, spanID: .invalid, name: "")
        return CommonPaths.value(path, resource: Resource(), scope: InstrumentationScope()) != nil
            || spanValue(probe, path.names, path.keys) != nil
    }
}

/// A span event, in the `spanevent` context (`span.*` reads its span).
public struct OTTLSpanEvent: OTTLItem, Sendable {
    public let event: SpanEvent
    public let span: OTTLSpan

    public init(event: SpanEvent, span: OTTLSpan) {
        self.event = event
        self.span = span
    }

    public func value(at path: OTTLPath) -> OTTLValue {
        if path.names.first == "span" {
            return OTTLSpan.spanValue(span.span, Array(path.names.dropFirst()), path.keys) ?? .nil
        }
        if let common = CommonPaths.value(path, resource: span.resource, scope: span.scope) { return common }
        return Self.eventValue(event, path) ?? .nil
    }

    static func eventValue(_ event: SpanEvent, _ path: OTTLPath) -> OTTLValue? {
        switch path.names {
        case ["name"]: return .string(event.name)
        case ["time_unix_nano"]: return .int(Int64(bitPattern: event.timeUnixNano))
        case ["attributes"]:
            guard let key = path.keys.first else { return .other("map") }
            return OTTLValue(event.attributes[key])
        default: return nil
        }
    }

    public static func knows(_ path: OTTLPath) -> Bool {
        if path.names.first == "span" {
            return OTTLSpan.knows(OTTLPath(names: Array(path.names.dropFirst()), keys: path.keys))
        }
        return CommonPaths.value(path, resource: Resource(), scope: InstrumentationScope()) != nil
            || eventValue(SpanEvent(timeUnixNano: 0, name: ""), path) != nil
    }
}

/// A metric, in the `metric` context.
public struct OTTLMetric: OTTLItem, Sendable {
    public let metric: Metric
    public let resource: Resource
    public let scope: InstrumentationScope

    public init(metric: Metric, resource: Resource, scope: InstrumentationScope) {
        self.metric = metric
        self.resource = resource
        self.scope = scope
    }

    public func value(at path: OTTLPath) -> OTTLValue {
        if let common = CommonPaths.value(path, resource: resource, scope: scope) { return common }
        return Self.metricValue(metric, path.names) ?? .nil
    }

    static func metricValue(_ metric: Metric, _ names: [String]) -> OTTLValue? {
        if names.count > 1, names[0] == "metric" { return metricValue(metric, Array(names.dropFirst())) }
        switch names {
        case ["name"]: return .string(metric.name)
        case ["description"]: return .string(metric.description)
        case ["unit"]: return .string(metric.unit)
        case ["type"]:
            switch metric.data {
            case .empty: return .int(0)
            case .gauge: return .int(1)
            case .sum: return .int(2)
            case .histogram: return .int(3)
            case .exponentialHistogram: return .int(4)
            case .summary: return .int(5)
            }
        case ["aggregation_temporality"]:
            switch metric.data {
            case .sum(let s): return .int(Int64(s.temporality.rawValue))
            case .histogram(let h): return .int(Int64(h.temporality.rawValue))
            case .exponentialHistogram(let h): return .int(Int64(h.temporality.rawValue))
            default: return .int(0)
            }
        case ["is_monotonic"]:
            if case .sum(let s) = metric.data { return .bool(s.isMonotonic) }
            return .bool(false)
        default: return nil
        }
    }

    public func anyDataPointHasAttribute(key: String, value: String?) -> Bool {
        var found = false
        metric.data.forEachPointAttributes { attributes in
            guard !found, let v = attributes[key] else { return }
            if let value {
                if case .string(let s) = v, s == value { found = true }
            } else {
                found = true
            }
        }
        return found
    }

    public static func knows(_ path: OTTLPath) -> Bool {
        CommonPaths.value(path, resource: Resource(), scope: InstrumentationScope()) != nil
            || metricValue(Metric(name: "", data: .empty), path.names) != nil
    }
}

/// A data point of any kind, in the `datapoint` context (`metric.*` reads its metric).
public struct OTTLDataPoint: OTTLItem, Sendable {
    public let attributes: Attributes
    public let fields: [String: OTTLValue]
    public let metric: OTTLMetric

    public init(attributes: Attributes, fields: [String: OTTLValue], metric: OTTLMetric) {
        self.attributes = attributes
        self.fields = fields
        self.metric = metric
    }

    public func value(at path: OTTLPath) -> OTTLValue {
        if path.names.first == "metric" {
            return OTTLMetric.metricValue(metric.metric, Array(path.names.dropFirst())) ?? .nil
        }
        if let common = CommonPaths.value(path, resource: metric.resource, scope: metric.scope) { return common }
        if path.names == ["attributes"] {
            guard let key = path.keys.first else { return .other("map") }
            return OTTLValue(attributes[key])
        }
        guard path.names.count == 1 else { return .nil }
        return fields[path.names[0]] ?? .nil
    }

    static let fieldNames: Set<String> = [
        "value_int", "value_double", "start_time_unix_nano", "time_unix_nano", "count", "sum", "flags",
    ]

    public static func knows(_ path: OTTLPath) -> Bool {
        if path.names.first == "metric" {
            return OTTLMetric.metricValue(Metric(name: "", data: .empty), Array(path.names.dropFirst())) != nil
        }
        if path.names == ["attributes"] { return true }
        return CommonPaths.value(path, resource: Resource(), scope: InstrumentationScope()) != nil
            || (path.names.count == 1 && fieldNames.contains(path.names[0]))
    }
}

/// A log record, in the `log` context (`log_record` in the filter processor's config).
public struct OTTLLogRecord: OTTLItem, Sendable {
    public let record: LogRecord
    public let resource: Resource
    public let scope: InstrumentationScope

    public init(record: LogRecord, resource: Resource, scope: InstrumentationScope) {
        self.record = record
        self.resource = resource
        self.scope = scope
    }

    public func value(at path: OTTLPath) -> OTTLValue {
        if let common = CommonPaths.value(path, resource: resource, scope: scope) { return common }
        return Self.logValue(record, path) ?? .nil
    }

    static func logValue(_ record: LogRecord, _ path: OTTLPath) -> OTTLValue? {
        if path.names.count > 1, path.names[0] == "log" {
            return logValue(record, OTTLPath(names: Array(path.names.dropFirst()), keys: path.keys))
        }
        switch path.names {
        case ["body"]: return OTTLValue(record.body)
        case ["severity_number"]: return .int(Int64(record.severityNumber))
        case ["severity_text"]: return .string(record.severityText)
        case ["time_unix_nano"]: return .int(Int64(bitPattern: record.timeUnixNano))
        case ["observed_time_unix_nano"]: return .int(Int64(bitPattern: record.observedTimeUnixNano))
        case ["event_name"]: return .string(record.eventName)
        case ["flags"]: return .int(Int64(record.flags))
        case ["attributes"]:
            guard let key = path.keys.first else { return .other("map") }
            return OTTLValue(record.attributes[key])
        default: return nil
        }
    }

    public static func knows(_ path: OTTLPath) -> Bool {
        CommonPaths.value(path, resource: Resource(), scope: InstrumentationScope()) != nil
            || logValue(LogRecord(), path) != nil
    }
}
