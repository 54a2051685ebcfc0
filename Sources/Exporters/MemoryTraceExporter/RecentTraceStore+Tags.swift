public import GatewayCore
internal import Synchronization

extension RecentTraceStore {
    /// The intrinsic fields TraceQL reads, as Tempo lists them in the `intrinsic` scope.
    public static let intrinsicTags = [
        "duration", "kind", "name", "rootName", "rootServiceName", "status",
        "statusMessage", "traceDuration",
    ]

    /// The attribute keys of the stored resources and spans, each sorted and at most `limit`.
    public func tagNames(limit: Int = 1000) -> (resource: [String], span: [String]) {
        var resource: Set<String> = []
        var span: Set<String> = []
        forEachTrace { _, trace in
            for group in trace.groups {
                for attribute in group.resource.attributes where resource.count < limit {
                    resource.insert(attribute.key)
                }
                for stored in group.spans where span.count < limit {
                    for attribute in stored.attributes where span.count < limit { span.insert(attribute.key) }
                }
            }
            return resource.count < limit || span.count < limit
        }
        return (resource.sorted(), span.sorted())
    }

    /// The distinct values of a tag, sorted, at most `limit`, with Tempo's type names (`string`, `int`, `float`,
    /// `bool`, `keyword` for status and kind). `tag` is `resource.<key>`, `span.<key>`, `.<key>`, an intrinsic,
    /// or a bare key (span or resource attribute, as Tempo's v1 API takes it).
    public func tagValues(_ tag: String, limit: Int = 1000) -> [(type: String, value: String)] {
        enum Source {
            case resource(String), span(String), either(String)
            case name, status, kind, statusMessage, rootServiceName
        }
        let source: Source
        switch tag {
        case "name", "span:name", "rootName", "trace:rootName": source = .name
        case "status", "span:status": source = .status
        case "kind", "span:kind": source = .kind
        case "statusMessage", "span:statusMessage": source = .statusMessage
        case "rootServiceName", "trace:rootService": source = .rootServiceName
        default:
            if tag.hasPrefix("resource.") {
                source = .resource(String(tag.dropFirst(9)))
            } else if tag.hasPrefix("span.") {
                source = .span(String(tag.dropFirst(5)))
            } else if tag.hasPrefix(".") {
                source = .either(String(tag.dropFirst()))
            } else {
                source = .either(tag)
            }
        }
        var seen: [String: String] = [:]
        func add(_ value: AnyValue?) {
            guard let value, seen.count < limit else { return }
            let type: String
            switch value {
            case .int: type = "int"
            case .double: type = "float"
            case .bool: type = "bool"
            default: type = "string"
            }
            seen[value.displayString] = seen[value.displayString] ?? type
        }
        forEachTrace { _, trace in
            guard seen.count < limit else { return false }
            for group in trace.groups {
                switch source {
                case .resource(let key): add(group.resource.attributes[key])
                case .rootServiceName: add(group.resource.attributes["service.name"])
                default:
                    for span in group.spans {
                        switch source {
                        case .span(let key): add(span.attributes[key])
                        case .either(let key): add(span.attributes[key] ?? group.resource.attributes[key])
                        case .name: add(.string(span.name))
                        case .statusMessage where !span.status.message.isEmpty: add(.string(span.status.message))
                        case .status: seen[Self.statusKeyword(span.status.code)] = "keyword"
                        case .kind: seen[Self.kindKeyword(span.kind)] = "keyword"
                        default: break
                        }
                    }
                }
            }
            return true
        }
        return seen.sorted { $0.key < $1.key }.prefix(limit).map { (type: $0.value, value: $0.key) }
    }

    static func statusKeyword(_ code: SpanStatus.Code) -> String {
        switch code {
        case .error: return "error"
        case .ok: return "ok"
        default: return "unset"
        }
    }

    static func kindKeyword(_ kind: SpanKind) -> String {
        switch kind {
        case .internal: return "internal"
        case .server: return "server"
        case .client: return "client"
        case .producer: return "producer"
        case .consumer: return "consumer"
        default: return "unspecified"
        }
    }

    /// Spans, errors and duration percentiles per `service.name` over every stored span, most spans first.
    public func serviceSummaries() -> [(
        service: String, spans: Int, errors: Int, p50: UInt64, p95: UInt64, p99: UInt64, first: UInt64, last: UInt64
    )] {
        struct Tally {
            var durations: [UInt64] = []
            var errors = 0
            var first = UInt64.max
            var last: UInt64 = 0
        }
        var tallies: [String: Tally] = [:]
        forEachTrace { _, trace in
            for group in trace.groups {
                let service = group.serviceName
                var tally = tallies[service] ?? Tally()
                for span in group.spans {
                    tally.durations.append(
                        span.endTimeUnixNano > span.startTimeUnixNano
                            ? span.endTimeUnixNano - span.startTimeUnixNano : 0)
                    if span.status.code == .error { tally.errors += 1 }
                    tally.first = Swift.min(tally.first, span.startTimeUnixNano)
                    tally.last = Swift.max(tally.last, span.endTimeUnixNano)
                }
                tallies[service] = tally
            }
            return true
        }
        return tallies.map { service, tally in
            let sorted = tally.durations.sorted()
            func quantile(_ q: Double) -> UInt64 {
                sorted.isEmpty
                    ? 0 : sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
            }
            return (
                service, sorted.count, tally.errors, quantile(0.5), quantile(0.95), quantile(0.99),
                tally.first == .max ? 0 : tally.first, tally.last
            )
        }.sorted { $0.spans != $1.spans ? $0.spans > $1.spans : $0.service < $1.service }
    }
}
