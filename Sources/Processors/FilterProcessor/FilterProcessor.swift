public import ComponentKit
public import GatewayCore
internal import Logging
public import OTTL
public import SelfTelemetry

/// The `filter` processor, `processors.filter[/name]`, in the Collector's OTTL shape: items for which any condition
/// of their context is true are dropped.
///
/// ```yaml
/// filter:
///   error_mode: ignore
///   traces:
///     span: ['attributes["http.route"] == "/healthz"']
///     spanevent: ['name == "cache miss"']
///   metrics:
///     metric: ['name == "noisy" and resource.attributes["env"] == "dev"']
///     datapoint: ['metric.type == METRIC_DATA_TYPE_SUMMARY']
///   logs:
///     log_record: ['severity_number < SEVERITY_NUMBER_WARN']
/// ```
public struct FilterProcessorConfig: ComponentConfig {
    /// `error_mode`: `ignore`, `silent` or `propagate`. Conditions here never fail at run time (a comparison of
    /// different types is false, as in OTTL), so the setting is accepted for compatibility.
    public var errorMode: String
    public var span: [OTTLCondition] = []
    public var spanEvent: [OTTLCondition] = []
    public var metric: [OTTLCondition] = []
    public var dataPoint: [OTTLCondition] = []
    public var logRecord: [OTTLCondition] = []

    init(from reader: MappingReader) {
        errorMode = reader.string("error_mode", default: "propagate")
        if !["ignore", "silent", "propagate"].contains(errorMode) {
            reader.report("error_mode", "expected ignore, silent or propagate, got \(quoted(errorMode))")
        }
        for legacy in ["spans", "logs_include", "logs_exclude"] where reader.contains(legacy) {
            _ = reader.value(legacy)
            reader.report(legacy, "not supported: write OTTL conditions under traces, metrics or logs")
        }
        reader.section("traces") { traces in
            span = Self.conditions(traces, "span", knows: OTTLSpan.knows)
            spanEvent = Self.conditions(traces, "spanevent", knows: OTTLSpanEvent.knows)
        }
        reader.section("metrics") { metrics in
            for legacy in ["include", "exclude"] where metrics.contains(legacy) {
                _ = metrics.value(legacy)
                metrics.report(legacy, "not supported: write OTTL conditions under metrics.metric or metrics.datapoint")
            }
            metric = Self.conditions(metrics, "metric", knows: OTTLMetric.knows, datapointFunctions: true)
            dataPoint = Self.conditions(metrics, "datapoint", knows: OTTLDataPoint.knows)
        }
        reader.section("logs") { logs in
            for legacy in ["include", "exclude"] where logs.contains(legacy) {
                _ = logs.value(legacy)
                logs.report(legacy, "not supported: write OTTL conditions under logs.log_record")
            }
            logRecord = Self.conditions(logs, "log_record", knows: OTTLLogRecord.knows)
        }
    }

    /// Parses the conditions under `key`, reporting each that does not parse or reads a path its context does not
    /// have, at its index.
    static func conditions(
        _ reader: MappingReader, _ key: String, knows: (OTTLPath) -> Bool, datapointFunctions: Bool = false
    ) -> [OTTLCondition] {
        guard let list = reader.stringList(key) else { return [] }
        var out: [OTTLCondition] = []
        for (index, text) in list.strings.enumerated() {
            let at = reader.path(key).appending(index: index)
            do {
                let condition = try OTTLCondition.parse(text)
                if let unknown = condition.paths.first(where: { !knows($0) }) {
                    reader.diagnostics.report(at, "unknown path \(unknown) in the \(key) context: \(quoted(text))")
                    continue
                }
                if condition.usesDatapointFunctions && !datapointFunctions {
                    reader.diagnostics.report(
                        at, "HasAttrKeyOnDatapoint and HasAttrOnDatapoint belong to the metric context: \(quoted(text))"
                    )
                    continue
                }
                out.append(condition)
            } catch {
                reader.diagnostics.report(at, "\(error.description): \(quoted(text))")
            }
        }
        return out
    }
}

/// Drops the items a condition selects; what is left keeps its grouping, and a resource or scope left empty goes.
/// Traces forwarded in wire form are decoded only when there are span conditions to evaluate.
public struct FilterProcessor<Data: TelemetryData>: Consumer {
    let config: FilterProcessorConfig
    let next: any Consumer<Data>
    let filtered: TelemetryCounter

    public init(config: FilterProcessorConfig, next: any Consumer<Data>, name: String, registry: TelemetryRegistry) {
        self.config = config
        self.next = next
        let unit: String
        switch Data.signal {
        case .traces: unit = "spans"
        case .metrics: unit = "datapoints"
        case .logs: unit = "logs"
        }
        filtered = registry.counter(
            "otelcol_processor_filter_\(unit)_filtered_total",
            help: "Items dropped by the filter processor's conditions.", labels: ["filter": name])
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let before = data.itemCount
        var out = data
        switch data {
        case let traces as Traces:
            guard !config.span.isEmpty || !config.spanEvent.isEmpty else { break }
            out = filter(traces) as! Data
        case let metrics as Metrics:
            guard !config.metric.isEmpty || !config.dataPoint.isEmpty else { break }
            out = filter(metrics) as! Data
        case let logs as Logs:
            guard !config.logRecord.isEmpty else { break }
            out = filter(logs) as! Data
        default:
            break
        }
        let dropped = before - out.itemCount
        if dropped > 0 { filtered.add(dropped) }
        // Everything dropped on purpose: the client's request still succeeded.
        guard out.itemCount > 0 else { return .accepted }
        return try next.consume(out)
    }

    private static func any(_ conditions: [OTTLCondition], _ item: some OTTLItem) -> Bool {
        conditions.contains { $0.evaluate(item) }
    }

    func filter(_ traces: Traces) -> Traces {
        var traces = traces
        traces.retainSpans { span, resource, scope in
            let item = OTTLSpan(span: span, resource: resource, scope: scope)
            if Self.any(config.span, item) { return false }
            if !config.spanEvent.isEmpty, !span.events.isEmpty {
                span.events.removeAll { Self.any(config.spanEvent, OTTLSpanEvent(event: $0, span: item)) }
            }
            return true
        }
        return traces
    }

    func filter(_ metrics: Metrics) -> Metrics {
        var out = metrics
        out.resourceMetrics = metrics.resourceMetrics.compactMap { rm in
            var rm = rm
            rm.scopeMetrics = rm.scopeMetrics.compactMap { sm in
                var sm = sm
                sm.metrics = sm.metrics.compactMap { metric in
                    let item = OTTLMetric(metric: metric, resource: rm.resource, scope: sm.scope)
                    if Self.any(config.metric, item) { return nil }
                    guard !config.dataPoint.isEmpty else { return metric }
                    var metric = metric
                    metric.data = filterPoints(metric.data, item)
                    // A metric whose points all went is dropped with them, as in the Collector.
                    return metric.data.dataPointCount == 0 ? nil : metric
                }
                return sm.metrics.isEmpty ? nil : sm
            }
            return rm.scopeMetrics.isEmpty ? nil : rm
        }
        return out
    }

    private func filterPoints(_ data: MetricData, _ metric: OTTLMetric) -> MetricData {
        var data = data
        data.editPoints { attributes, fields in
            !Self.any(config.dataPoint, OTTLDataPoint(attributes: attributes, fields: fields, metric: metric))
        }
        return data
    }

    func filter(_ logs: Logs) -> Logs {
        var logs = logs
        logs.retainLogRecords { record, resource, scope in
            !Self.any(config.logRecord, OTTLLogRecord(record: record, resource: resource, scope: scope))
        }
        return logs
    }
}

/// `filter`, in every pipeline type; each pipeline uses the conditions of its signal.
public struct FilterProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["filter"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        FilterProcessorConfig(from: reader)
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? FilterProcessorConfig else { throw ComponentBuildError("not a filter config") }
        return FilterProcessor<D>(
            config: c, next: next, name: context.base.id.description, registry: context.base.registry)
    }
}
