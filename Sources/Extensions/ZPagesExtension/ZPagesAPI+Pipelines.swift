internal import ComponentKit
internal import SelfTelemetry

extension ZPagesAPI {
    /// The label that names a component in the self-metrics, per kind (`store` is the metric store of the
    /// exporter that made it; the `memory` exporter's store counts under `exporter`).
    static let componentLabels: [String: [String]] = [
        "receiver": ["receiver"], "processor": ["processor"], "exporter": ["exporter", "store"],
        "connector": ["connector", "exporter"], "extension": ["extension"],
    ]

    /// Self-metric name prefixes left out of the names the page shows.
    static let namePrefixes = [
        "otelcol_receiver_", "otelcol_exporter_", "otelcol_processor_batch_", "otelcol_processor_memory_limiter_",
        "otelcol_processor_", "otelcol_scraper_", "otlp_gateway_receiver_", "otlp_gateway_exporter_",
        "otlp_gateway_remote_write_", "otlp_gateway_spanmetrics_", "otlp_gateway_", "otelcol_",
    ]

    /// The name the page shows for a self-metric: `otelcol_receiver_accepted_spans_total` is "accepted spans".
    static func displayName(_ metric: String) -> String {
        var name = Substring(metric)
        if let prefix = namePrefixes.first(where: { metric.hasPrefix($0) }) { name = name.dropFirst(prefix.count) }
        if name.hasSuffix("_total") { name = name.dropLast(6) }
        return String(name).split(separator: "_").joined(separator: " ")
    }

    /// The words self-metrics use for each signal's items.
    static let itemWords = ["traces": "spans", "metrics": "metric points", "logs": "log records"]

    /// Counters whose increase means data was refused, lost or failed to go out.
    static func isTroubleCounter(_ metric: String) -> Bool {
        ["refused", "failed", "dropped", "overflow", "errored", "auth_failures", "handshake_failures"].contains {
            metric.contains($0)
        }
    }

    /// The configured graph with, per component, its counters as rates over the last `componentWindowMs`, its
    /// gauges, and what is wrong with it.
    func pipelines() -> JSONValue {
        let shape = inspection.shape
        let ticks = sampler.selfTicks
        let current = ticks.last?.samples ?? inspection.registry.samples()
        let nowTime = ticks.last?.timeMs ?? nowMs()
        let earlier = ticks.first { nowTime - $0.timeMs <= sampler.componentWindowMs && $0.timeMs < nowTime }
        var previous: [String: Double] = [:]
        for sample in earlier?.samples ?? [] { previous[Self.key(sample)] = sample.value }
        let seconds = earlier.map { Double(nowTime - $0.timeMs) / 1000 } ?? 0

        // One row per component and signal: a receiver or exporter in pipelines of two signals shows each
        // pipeline its own items; a connector links two signals and is one row.
        var components: [(kind: String, id: String, signal: String?)] = []
        for pipeline in shape.pipelines {
            for id in pipeline.receivers {
                components.append(
                    shape.connectors.contains(id) ? ("connector", id, nil) : ("receiver", id, pipeline.signal))
            }
            for id in pipeline.processors { components.append(("processor", id, pipeline.signal)) }
            for id in pipeline.exporters {
                components.append(
                    shape.connectors.contains(id) ? ("connector", id, nil) : ("exporter", id, pipeline.signal))
            }
        }
        var seen: Set<String> = []
        var rows: [JSONValue] = []
        for component in components {
            let rowKey = "\(component.kind)|\(component.id)|\(component.signal ?? "")"
            guard seen.insert(rowKey).inserted else { continue }
            rows.append(
                row(
                    component, samples: current, previous: previous, seconds: seconds,
                    nowSeconds: Double(nowTime) / 1000))
        }
        let pipelines: [JSONValue] = shape.pipelines.map { pipeline in
            .object([
                ("id", .string(pipeline.id)), ("signal", .string(pipeline.signal)),
                ("receivers", .array(pipeline.receivers.map(JSONValue.string))),
                ("processors", .array(pipeline.processors.map(JSONValue.string))),
                ("exporters", .array(pipeline.exporters.map(JSONValue.string))),
            ])
        }
        return .object([
            ("windowSeconds", .number(seconds)), ("pipelines", .array(pipelines)), ("components", .array(rows)),
        ])
    }

    static func key(_ sample: TelemetryRegistry.Sample) -> String {
        sample.name + "{"
            + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            + "}"
    }

    private func row(
        _ component: (kind: String, id: String, signal: String?), samples: [TelemetryRegistry.Sample],
        previous: [String: Double], seconds: Double, nowSeconds: Double
    ) -> JSONValue {
        let labels = Self.componentLabels[component.kind] ?? []
        let mine = samples.filter { sample in
            labels.contains { sample.labels[$0] == component.id }
                // A processor's counters are per signal: show the ones of this pipeline's signal.
                && (component.signal == nil || sample.labels["otel_signal"].map { $0 == component.signal } ?? true)
        }
        var rates: [String: (perSecond: Double, total: Double)] = [:]
        var gauges: [String: Double] = [:]
        var problems: [String] = []
        for sample in mine {
            let name = Self.displayName(sample.name)
            switch sample.kind {
            case .counter:
                let before = previous[Self.key(sample)]
                let increase = before.map { sample.value >= $0 ? sample.value - $0 : sample.value } ?? 0
                var entry = rates[name] ?? (0, 0)
                entry.total += sample.value
                entry.perSecond += seconds > 0 ? increase / seconds : 0
                rates[name] = entry
            case .gauge:
                gauges[name, default: 0] += sample.value
            }
        }
        // Counters of other signals' items (a memory limiter counts all three) belong to the other pipelines.
        if let signal = component.signal {
            let others = Self.itemWords.filter { $0.key != signal }.map(\.value)
            rates = rates.filter { name, _ in !others.contains { name.hasSuffix($0) } }
        }
        for (name, rate) in rates where rate.perSecond > 0 && Self.isTroubleCounter(name.replacing(" ", with: "_")) {
            problems.append("\(name): \(Self.format(rate.perSecond))/s")
        }
        var gaugeRows: [JSONValue] = gauges.sorted { $0.key < $1.key }.map { name, value in
            name.hasSuffix("bytes")
                ? .object([("name", .string(name)), ("value", .optional(value)), ("unit", .string("bytes"))])
                : .object([("name", .string(name)), ("value", .optional(value))])
        }
        if let size = gauges["queue size"], let capacity = gauges["queue capacity"], capacity > 0 {
            let fill = size / capacity
            gaugeRows.append(
                .object([("name", .string("queue fill")), ("value", .number(fill)), ("unit", .string("ratio"))]))
            if fill >= 0.8 { problems.append("sending queue \(Int((fill * 100).rounded()))% full") }
        }
        if let length = gauges["queue length"], let capacity = gauges["queue capacity"], capacity > 0,
            length / capacity >= 0.8
        {
            problems.append("remote-write queue \(Int((length / capacity * 100).rounded()))% full")
        }
        if let state = gauges["state"], state > 0 {
            problems.append(state >= 2 ? "memory limiter: above the hard limit" : "memory limiter: refusing data")
        }
        if let last = gauges["last success timestamp seconds"], last > 0 {
            let lag = Swift.max(0, nowSeconds - last)
            gaugeRows.append(
                .object([("name", .string("remote write lag")), ("value", .number(lag)), ("unit", .string("s"))]))
            if lag > 60 { problems.append("no successful remote write for \(Int(lag)) s") }
        }
        return .object([
            ("kind", .string(component.kind)), ("id", .string(component.id)),
            ("signal", component.signal.map(JSONValue.string) ?? .null), ("trouble", .bool(!problems.isEmpty)),
            (
                "rates",
                .array(
                    rates.sorted { $0.key < $1.key }.map {
                        .object([
                            ("name", .string($0.key)), ("perSecond", .number($0.value.perSecond)),
                            ("total", .number($0.value.total)),
                        ])
                    })
            ),
            ("gauges", .array(gaugeRows)), ("problems", .array(problems.sorted().map(JSONValue.string))),
        ])
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(Double(Int(value * 10)) / 10)
    }
}
