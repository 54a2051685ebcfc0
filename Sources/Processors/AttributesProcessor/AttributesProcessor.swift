public import AttributeActions
public import ComponentKit
public import GatewayCore

/// Applies the actions to the attributes of each span, log record or metric data point that `include` selects and
/// `exclude` does not, then hands the data on. Traces forwarded in wire form are decoded here, since they change.
public struct AttributesProcessor<Data: TelemetryData>: Consumer {
    public let config: AttributesProcessorConfig
    public let next: any Consumer<Data>

    public init(config: AttributesProcessorConfig, next: any Consumer<Data>) {
        self.config = config
        self.next = next
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        var data = data
        switch data {
        case let traces as Traces: data = process(traces) as! Data
        case let metrics as Metrics: data = process(metrics) as! Data
        case let logs as Logs: data = process(logs) as! Data
        default: break
        }
        return try next.consume(data)
    }

    private func selected(_ matches: (MatchProperties) -> Bool) -> Bool {
        if let include = config.include, !matches(include) { return false }
        if let exclude = config.exclude, matches(exclude) { return false }
        return true
    }

    func process(_ traces: Traces) -> Traces {
        var traces = traces
        traces.retainSpans { span, resource, scope in
            let current = span
            if selected({ $0.matches(span: current, resource: resource, scope: scope) }) {
                config.actions.apply(to: &span.attributes)
            }
            return true
        }
        return traces
    }

    func process(_ logs: Logs) -> Logs {
        var logs = logs
        for r in logs.resourceLogs.indices {
            let resource = logs.resourceLogs[r].resource
            for s in logs.resourceLogs[r].scopeLogs.indices {
                let scope = logs.resourceLogs[r].scopeLogs[s].scope
                for i in logs.resourceLogs[r].scopeLogs[s].logRecords.indices {
                    let record = logs.resourceLogs[r].scopeLogs[s].logRecords[i]
                    guard selected({ $0.matches(record: record, resource: resource, scope: scope) }) else { continue }
                    config.actions.apply(to: &logs.resourceLogs[r].scopeLogs[s].logRecords[i].attributes)
                }
            }
        }
        return logs
    }

    func process(_ metrics: Metrics) -> Metrics {
        var metrics = metrics
        for r in metrics.resourceMetrics.indices {
            let resource = metrics.resourceMetrics[r].resource
            for s in metrics.resourceMetrics[r].scopeMetrics.indices {
                let scope = metrics.resourceMetrics[r].scopeMetrics[s].scope
                for m in metrics.resourceMetrics[r].scopeMetrics[s].metrics.indices {
                    let metric = metrics.resourceMetrics[r].scopeMetrics[s].metrics[m]
                    let apply = { (attributes: inout Attributes) in
                        guard
                            self.selected({
                                $0.matches(
                                    metric: metric, pointAttributes: attributes, resource: resource, scope: scope)
                            })
                        else { return }
                        self.config.actions.apply(to: &attributes)
                    }
                    metrics.resourceMetrics[r].scopeMetrics[s].metrics[m].data.editPointAttributes(apply)
                }
            }
        }
        return metrics
    }
}

/// `attributes`, in every pipeline type; `include`/`exclude` properties of another signal are refused there.
public struct AttributesProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["attributes"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        AttributesProcessorConfig(from: reader)
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? AttributesProcessorConfig else {
            throw ComponentBuildError("not an attributes config")
        }
        if let problem = c.signalProblem(D.signal) {
            throw ComponentBuildError("processors.\(context.base.id): \(problem)")
        }
        return AttributesProcessor<D>(config: c, next: next)
    }
}
