/// The three OTLP signals a pipeline can carry.
public enum Signal: String, Sendable, Hashable, CaseIterable {
    case traces
    case metrics
    case logs

    /// The unit the Collector's self-metrics count this signal in (`otelcol_receiver_accepted_<unit>`).
    public var itemUnit: String {
        switch self {
        case .traces: return "spans"
        case .metrics: return "metric_points"
        case .logs: return "log_records"
        }
    }
}

/// Data one pipeline of a signal carries.
public protocol TelemetryData: Sendable {
    static var signal: Signal { get }
    /// Items in the Collector's unit: spans, metric data points or log records.
    var itemCount: Int { get }
    /// What the data holds in memory, in bytes (`Footprint`): the unit of the bounds promised in bytes.
    var estimatedBytes: Int { get }
    /// Appends `other`'s resource groups (used by batching).
    mutating func append(contentsOf other: Self)
    /// Splits off the first `maxItems` items, keeping resource and scope grouping (used by batching's max size).
    mutating func removeFirst(items maxItems: Int) -> Self
    /// Calls `body` with every resource, to change in place (forwarded traces are decoded for it).
    mutating func editResources(_ body: (inout Resource) -> Void)
    /// The request headers a receiver kept with the data (`include_metadata`).
    var metadata: ClientMetadata { get set }
}

extension Traces {
    public mutating func editResources(_ body: (inout Resource) -> Void) {
        var groups = resourceSpans
        for i in groups.indices { body(&groups[i].resource) }
        resourceSpans = groups
    }
}

extension Metrics {
    public mutating func editResources(_ body: (inout Resource) -> Void) {
        for i in resourceMetrics.indices { body(&resourceMetrics[i].resource) }
    }
}

extension Logs {
    public mutating func editResources(_ body: (inout Resource) -> Void) {
        for i in resourceLogs.indices { body(&resourceLogs[i].resource) }
    }
}

extension Traces: TelemetryData {
    public static var signal: Signal { .traces }
    public var itemCount: Int { spanCount }
    /// Merges by resource and scope, so a batch sends each resource (and each scope in it) once. Where either side
    /// is still in wire form, the batch stays in wire form: the other side's model is encoded once and the
    /// encodings are listed together, so nothing forwarded is decoded.
    public mutating func append(contentsOf other: Traces) {
        guard let codec = wire?.codec ?? other.wire?.codec else {
            var merged = resourceSpans
            Grouping.merge(
                &merged, other.resourceSpans, resource: { ($0.resource, $0.schemaURL) }, scopes: \.scopeSpans,
                scope: { ($0.scope, $0.schemaURL) }, items: \.spans)
            resourceSpans = merged
            return
        }
        var segments: [[UInt8]] = []
        var spans: [Int] = []
        var resources: [Int] = []
        for part in [self, other] {
            if let wire = part.wire {
                segments += wire.segments
                spans += wire.segmentSpans
                resources += wire.segmentResources
            } else if part.spanCount > 0 {
                segments.append(codec.encode(part.resourceSpans))
                spans.append(part.spanCount)
                resources.append(part.resourceSpanCount)
            }
        }
        self = Traces(
            wire: WireTraces(segments: segments, segmentSpans: spans, segmentResources: resources, codec: codec))
    }

    public mutating func removeFirst(items maxItems: Int) -> Traces {
        guard let wire else {
            var rest = resourceSpans
            let first = Splitter.split(&rest, maxItems: maxItems, scopes: \.scopeSpans, items: \.spans)
            resourceSpans = rest
            return Traces(resourceSpans: first)
        }
        // Whole segments while they fit; the one that does not is decoded, split exactly, and both parts encoded.
        var taken = 0
        var index = 0
        while index < wire.segments.count, taken + wire.segmentSpans[index] <= maxItems {
            taken += wire.segmentSpans[index]
            index += 1
        }
        var rest = Array(wire.segments.indices.dropFirst(index))
        var extraFirst: [([UInt8], Int, Int)] = []
        var extraRest: [([UInt8], Int, Int)] = []
        if taken < maxItems, let split = rest.first {
            var model = wire.codec.decode(wire.segments[split]) ?? []
            let head = Splitter.split(&model, maxItems: maxItems - taken, scopes: \.scopeSpans, items: \.spans)
            let headTraces = Traces(resourceSpans: head)
            let tailTraces = Traces(resourceSpans: model)
            extraFirst.append((wire.codec.encode(head), headTraces.spanCount, head.count))
            if tailTraces.spanCount > 0 {
                extraRest.append((wire.codec.encode(model), tailTraces.spanCount, model.count))
            }
            rest.removeFirst()
        }
        func make(_ indices: [Int], _ extra: [([UInt8], Int, Int)], extraFirst: Bool) -> Traces {
            var segments = indices.map { wire.segments[$0] }
            var spans = indices.map { wire.segmentSpans[$0] }
            var resources = indices.map { wire.segmentResources[$0] }
            for (bytes, n, r) in extra {
                if extraFirst {
                    segments.insert(bytes, at: 0)
                    spans.insert(n, at: 0)
                    resources.insert(r, at: 0)
                } else {
                    segments.append(bytes)
                    spans.append(n)
                    resources.append(r)
                }
            }
            return Traces(
                wire: WireTraces(
                    segments: segments, segmentSpans: spans, segmentResources: resources, codec: wire.codec))
        }
        let head = make(Array(wire.segments.indices.prefix(index)), extraFirst, extraFirst: false)
        self = make(rest, extraRest, extraFirst: true)
        return head
    }
}

extension Metrics: TelemetryData {
    public static var signal: Signal { .metrics }
    public var itemCount: Int { dataPointCount }
    /// Merges by resource and scope, so a batch sends each resource (and each scope in it) once.
    public mutating func append(contentsOf other: Metrics) {
        Grouping.merge(
            &resourceMetrics, other.resourceMetrics, resource: { ($0.resource, $0.schemaURL) }, scopes: \.scopeMetrics,
            scope: { ($0.scope, $0.schemaURL) }, items: \.metrics)
    }
    /// Splits at metric granularity: a metric's points stay together, so a batch may exceed `maxItems` by
    /// at most one metric's points. Splitting inside a metric would duplicate its identity across requests.
    public mutating func removeFirst(items maxItems: Int) -> Metrics {
        var taken: [ResourceMetrics] = []
        var budget = maxItems
        while budget > 0, !resourceMetrics.isEmpty {
            var resource = resourceMetrics[0]
            var takenScopes: [ScopeMetrics] = []
            while budget > 0, !resource.scopeMetrics.isEmpty {
                var scope = resource.scopeMetrics[0]
                var takenMetrics: [Metric] = []
                while budget > 0, !scope.metrics.isEmpty {
                    let metric = scope.metrics.removeFirst()
                    budget -= Swift.max(1, metric.data.dataPointCount)
                    takenMetrics.append(metric)
                }
                takenScopes.append(ScopeMetrics(scope: scope.scope, metrics: takenMetrics, schemaURL: scope.schemaURL))
                if scope.metrics.isEmpty {
                    resource.scopeMetrics.removeFirst()
                } else {
                    resource.scopeMetrics[0] = scope
                }
            }
            taken.append(
                ResourceMetrics(resource: resource.resource, scopeMetrics: takenScopes, schemaURL: resource.schemaURL))
            if resource.scopeMetrics.isEmpty { resourceMetrics.removeFirst() } else { resourceMetrics[0] = resource }
        }
        return Metrics(resourceMetrics: taken)
    }
}

extension Logs: TelemetryData {
    public static var signal: Signal { .logs }
    public var itemCount: Int { logRecordCount }
    /// Merges by resource and scope, so a batch sends each resource (and each scope in it) once.
    public mutating func append(contentsOf other: Logs) {
        Grouping.merge(
            &resourceLogs, other.resourceLogs, resource: { ($0.resource, $0.schemaURL) }, scopes: \.scopeLogs,
            scope: { ($0.scope, $0.schemaURL) }, items: \.logRecords)
    }
    public mutating func removeFirst(items maxItems: Int) -> Logs {
        Logs(resourceLogs: Splitter.split(&resourceLogs, maxItems: maxItems, scopes: \.scopeLogs, items: \.logRecords))
    }
}

/// Item-granular splitting shared by traces and logs.
enum Splitter {
    static func split<R, S, I>(
        _ groups: inout [R],
        maxItems: Int,
        scopes: WritableKeyPath<R, [S]>,
        items: WritableKeyPath<S, [I]>
    ) -> [R] {
        var taken: [R] = []
        var budget = maxItems
        while budget > 0, !groups.isEmpty {
            var resource = groups[0]
            var head = resource
            head[keyPath: scopes] = []
            while budget > 0, !resource[keyPath: scopes].isEmpty {
                var scope = resource[keyPath: scopes][0]
                let all = scope[keyPath: items]
                let n = Swift.min(budget, all.count)
                var headScope = scope
                headScope[keyPath: items] = Array(all[..<n])
                head[keyPath: scopes].append(headScope)
                budget -= n
                if n == all.count {
                    resource[keyPath: scopes].removeFirst()
                } else {
                    scope[keyPath: items] = Array(all[n...])
                    resource[keyPath: scopes][0] = scope
                }
            }
            taken.append(head)
            if resource[keyPath: scopes].isEmpty { groups.removeFirst() } else { groups[0] = resource }
        }
        return taken
    }
}

/// Merging resource and scope groups, shared by the three signals.
enum Grouping {
    struct ResourceKey: Hashable {
        var resource: Resource
        var schemaURL: String
    }

    struct ScopeKey: Hashable {
        var scope: InstrumentationScope
        var schemaURL: String
    }

    /// Appends `incoming` to `groups`, adding items to an existing group with the same resource (and scope)
    /// instead of repeating it. Order of first appearance is kept.
    static func merge<R, S, I>(
        _ groups: inout [R], _ incoming: [R],
        resource: (R) -> (Resource, String), scopes: WritableKeyPath<R, [S]>,
        scope: (S) -> (InstrumentationScope, String), items: WritableKeyPath<S, [I]>
    ) {
        guard !groups.isEmpty else {
            groups = incoming
            return
        }
        var index: [ResourceKey: Int] = [:]
        for (i, g) in groups.enumerated() {
            let (r, url) = resource(g)
            index[ResourceKey(resource: r, schemaURL: url)] = index[ResourceKey(resource: r, schemaURL: url)] ?? i
        }
        for group in incoming {
            let (r, url) = resource(group)
            guard let i = index[ResourceKey(resource: r, schemaURL: url)] else {
                index[ResourceKey(resource: r, schemaURL: url)] = groups.count
                groups.append(group)
                continue
            }
            for incomingScope in group[keyPath: scopes] {
                let (sc, surl) = scope(incomingScope)
                if let j = groups[i][keyPath: scopes].firstIndex(where: {
                    let (x, y) = scope($0); return x == sc && y == surl
                }) {
                    groups[i][keyPath: scopes][j][keyPath: items].append(contentsOf: incomingScope[keyPath: items])
                } else {
                    groups[i][keyPath: scopes].append(incomingScope)
                }
            }
        }
    }
}

extension Traces {
    /// Keeps the spans for which `keep` returns true (it may change them on the way), and drops the scopes and
    /// resources left empty; the request metadata stays. Forwarded traces are decoded for it.
    public mutating func retainSpans(_ keep: (inout Span, Resource, InstrumentationScope) -> Bool) {
        var groups = resourceSpans
        for r in groups.indices {
            let resource = groups[r].resource
            for s in groups[r].scopeSpans.indices {
                let scope = groups[r].scopeSpans[s].scope
                groups[r].scopeSpans[s].spans = groups[r].scopeSpans[s].spans.compactMap { span in
                    var span = span
                    return keep(&span, resource, scope) ? span : nil
                }
            }
            groups[r].scopeSpans.removeAll { $0.spans.isEmpty }
        }
        groups.removeAll { $0.scopeSpans.isEmpty }
        resourceSpans = groups
    }
}

extension Logs {
    /// Keeps the log records for which `keep` returns true (it may change them on the way), and drops the scopes
    /// and resources left empty; the request metadata stays.
    public mutating func retainLogRecords(_ keep: (inout LogRecord, Resource, InstrumentationScope) -> Bool) {
        for r in resourceLogs.indices {
            let resource = resourceLogs[r].resource
            for s in resourceLogs[r].scopeLogs.indices {
                let scope = resourceLogs[r].scopeLogs[s].scope
                resourceLogs[r].scopeLogs[s].logRecords = resourceLogs[r].scopeLogs[s].logRecords.compactMap {
                    var record = $0
                    return keep(&record, resource, scope) ? record : nil
                }
            }
            resourceLogs[r].scopeLogs.removeAll { $0.logRecords.isEmpty }
        }
        resourceLogs.removeAll { $0.scopeLogs.isEmpty }
    }
}
