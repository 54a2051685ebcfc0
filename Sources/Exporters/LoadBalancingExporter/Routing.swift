internal import GatewayCore
internal import OTLPWire

/// Splits a batch into one batch per backend, keeping resource and scope grouping; a batch that goes to a
/// single backend is returned as it came (forwarded trace bytes stay undecoded).
protocol Routable: TelemetryData {
    func split(by key: LoadBalancingConfig.RoutingKey, ring: HashRing) -> [String: Self]
}

/// The ring's key for a resource: `service.name`, or the resource's canonical attributes.
private func resourceKey(_ resource: Resource, _ key: LoadBalancingConfig.RoutingKey) -> [UInt8] {
    if key == .service { return Array((resource.attributes["service.name"]?.displayString ?? "").utf8) }
    return attributesKey(resource.attributes)
}

/// Attributes in their canonical (sorted) order as bytes: equal sets give equal keys.
private func attributesKey(_ attributes: Attributes) -> [UInt8] {
    var out: [UInt8] = []
    for attribute in attributes {
        out.append(contentsOf: attribute.key.utf8)
        out.append(0)
        out.append(contentsOf: attribute.value.displayString.utf8)
        out.append(0)
    }
    return out
}

extension Traces: Routable {
    func split(by key: LoadBalancingConfig.RoutingKey, ring: HashRing) -> [String: Traces] {
        // Forwarded bytes are split as bytes: spans are copied to their owner's request, nothing is decoded.
        if let wire, key == .traceID, !ring.endpoints.isEmpty,
            let parts = OTLPProtobuf.splitWireTraces(
                wire, parts: ring.endpoints.count, owner: { ring.index(for: $0) ?? 0 })
        {
            var result: [String: Traces] = [:]
            for (index, part) in parts.enumerated() where part.spanCount > 0 { result[ring.endpoints[index]] = part }
            if result.count == 1, let only = result.keys.first { return [only: self] }
            return result
        }
        let groups = resourceSpans
        // Endpoint per span, in order; most batches go to one backend whole.
        var owners: [[[String]]] = []
        var distinct: Set<String> = []
        for rs in groups {
            let resourceOwner = key == .service ? ring.endpoint(for: resourceKey(rs.resource, key)) : nil
            owners.append(
                rs.scopeSpans.map { ss in
                    ss.spans.map { span in
                        let owner = resourceOwner ?? ring.endpoint(for: span.traceID.bytes) ?? ""
                        distinct.insert(owner)
                        return owner
                    }
                })
        }
        if distinct.count <= 1 { return distinct.first.map { [$0: self] } ?? [:] }
        var result: [String: [ResourceSpans]] = [:]
        for (r, rs) in groups.enumerated() {
            var perOwner: [String: [ScopeSpans]] = [:]
            for (s, ss) in rs.scopeSpans.enumerated() {
                var spans: [String: [Span]] = [:]
                for (i, span) in ss.spans.enumerated() { spans[owners[r][s][i], default: []].append(span) }
                for (owner, list) in spans {
                    perOwner[owner, default: []].append(
                        ScopeSpans(scope: ss.scope, spans: list, schemaURL: ss.schemaURL))
                }
            }
            for (owner, scopes) in perOwner {
                result[owner, default: []].append(
                    ResourceSpans(resource: rs.resource, scopeSpans: scopes, schemaURL: rs.schemaURL))
            }
        }
        return result.mapValues { Traces(resourceSpans: $0) }
    }
}

extension Logs: Routable {
    func split(by key: LoadBalancingConfig.RoutingKey, ring: HashRing) -> [String: Logs] {
        var result: [String: [ResourceLogs]] = [:]
        for rl in resourceLogs {
            var perOwner: [String: [ScopeLogs]] = [:]
            for sl in rl.scopeLogs {
                var records: [String: [LogRecord]] = [:]
                for record in sl.logRecords {
                    // Records without a trace id still need a home: their own bytes spread them.
                    let owner =
                        ring.endpoint(
                            for: record.traceID.isValid
                                ? record.traceID.bytes : Array(record.body.displayString.utf8)) ?? ""
                    records[owner, default: []].append(record)
                }
                for (owner, list) in records {
                    perOwner[owner, default: []].append(
                        ScopeLogs(scope: sl.scope, logRecords: list, schemaURL: sl.schemaURL))
                }
            }
            for (owner, scopes) in perOwner {
                result[owner, default: []].append(
                    ResourceLogs(resource: rl.resource, scopeLogs: scopes, schemaURL: rl.schemaURL))
            }
        }
        return result.mapValues { Logs(resourceLogs: $0) }
    }
}

extension Metrics: Routable {
    func split(by key: LoadBalancingConfig.RoutingKey, ring: HashRing) -> [String: Metrics] {
        var result: [String: [ResourceMetrics]] = [:]
        for rm in resourceMetrics {
            if key == .service || key == .resource {
                let owner = ring.endpoint(for: resourceKey(rm.resource, key)) ?? ""
                result[owner, default: []].append(rm)
                continue
            }
            let resourceBytes = attributesKey(rm.resource.attributes)
            var perOwner: [String: [ScopeMetrics]] = [:]
            for sm in rm.scopeMetrics {
                var metrics: [String: [Metric]] = [:]
                for metric in sm.metrics {
                    if key == .metric {
                        metrics[ring.endpoint(for: Array(metric.name.utf8)) ?? "", default: []].append(metric)
                        continue
                    }
                    // streamID: resource, scope, metric name and the point's attributes.
                    var prefix = resourceBytes
                    prefix.append(contentsOf: sm.scope.name.utf8)
                    prefix.append(0)
                    prefix.append(contentsOf: metric.name.utf8)
                    prefix.append(0)
                    var owners: [String] = []
                    metric.data.forEachPointAttributes { attributes in
                        owners.append(ring.endpoint(for: prefix + attributesKey(attributes)) ?? "")
                    }
                    for owner in Set(owners) {
                        var part = metric
                        part.data = metric.data.keepingPoints(owners.map { $0 == owner })
                        metrics[owner, default: []].append(part)
                    }
                }
                for (owner, list) in metrics {
                    perOwner[owner, default: []].append(
                        ScopeMetrics(scope: sm.scope, metrics: list, schemaURL: sm.schemaURL))
                }
            }
            for (owner, scopes) in perOwner {
                result[owner, default: []].append(
                    ResourceMetrics(resource: rm.resource, scopeMetrics: scopes, schemaURL: rm.schemaURL))
            }
        }
        return result.mapValues { Metrics(resourceMetrics: $0) }
    }
}

extension MetricData {
    /// The same data with only the points whose flag is set.
    fileprivate func keepingPoints(_ keep: [Bool]) -> MetricData {
        func filter<P>(_ points: [P]) -> [P] { points.enumerated().filter { keep[$0.offset] }.map(\.element) }
        switch self {
        case .empty: return .empty
        case .gauge(let points): return .gauge(filter(points))
        case .sum(var sum):
            sum.dataPoints = filter(sum.dataPoints)
            return .sum(sum)
        case .histogram(var h):
            h.dataPoints = filter(h.dataPoints)
            return .histogram(h)
        case .exponentialHistogram(var h):
            h.dataPoints = filter(h.dataPoints)
            return .exponentialHistogram(h)
        case .summary(let points): return .summary(filter(points))
        }
    }
}
