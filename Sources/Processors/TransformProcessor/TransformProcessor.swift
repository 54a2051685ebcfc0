public import ComponentKit
public import GatewayCore
public import OTTL

/// The `transform` processor, `processors.transform[/name]`: OTTL statements that change the data, in the
/// Collector's shape.
///
/// ```yaml
/// transform:
///   error_mode: ignore
///   trace_statements:
///     - context: span
///       statements:
///         - set(attributes["deployment"], "blue") where resource.attributes["env"] == "prod"
///         - delete_key(attributes, "http.request.header.authorization")
///     - 'replace_pattern(span.name, "/users/[0-9]+", "/users/{id}")'
///   metric_statements:
///     - context: datapoint
///       statements: ['keep_keys(attributes, ["model_name", "le"])']
///   log_statements:
///     - context: log
///       statements: ['truncate_all(attributes, 256)']
/// ```
public struct TransformProcessorConfig: ComponentConfig {
    /// `error_mode`, accepted: statements here do not fail at run time (an editor that does not apply is skipped).
    public var errorMode: String
    var groups: [Signal: [Group]] = [:]

    /// Statements of one context, run in order on every item of it.
    struct Group: Sendable {
        let context: TransformContext
        let statements: [CompiledStatement]
    }

    init(from reader: MappingReader) {
        errorMode = reader.string("error_mode", default: "propagate")
        if !["ignore", "silent", "propagate"].contains(errorMode) {
            reader.report("error_mode", "expected ignore, silent or propagate, got \(quoted(errorMode))")
        }
        for (key, signal) in [
            ("trace_statements", Signal.traces), ("metric_statements", .metrics), ("log_statements", .logs),
        ] {
            groups[signal] = Self.groups(reader, key, signal: signal)
        }
    }

    static func groups(_ reader: MappingReader, _ key: String, signal: Signal) -> [Group] {
        let allowed = TransformContext.allowed(for: signal)
        guard let value = reader.value(key) else { return [] }
        guard case .sequence(let elements) = value else {
            if case .null = value { return [] }
            reader.report(key, "expected a list of statements or of {context, statements}, got \(value.summary)")
            return []
        }
        var out: [Group] = []
        for (index, element) in elements.enumerated() {
            let at = reader.path(key).appending(index: index)
            switch element {
            case .scalar(let text):
                // The flat style: the context is the prefix of the statement's paths (`span.attributes[...]`).
                guard let statement = parse(text, at: at, reader.diagnostics) else { continue }
                let prefixes = statement.paths.compactMap { p in allowed.first { $0.rawValue == p.names.first } }
                guard let context = prefixes.last ?? prefixes.first else {
                    reader.diagnostics.report(
                        at,
                        "cannot tell the context: prefix its paths (\(allowed.map { "\($0.rawValue)." }.joined(separator: ", "))) or use {context, statements}: \(quoted(text))"
                    )
                    continue
                }
                if let compiled = compile(
                    statement.dropping(prefix: context.rawValue), text, context, at, reader.diagnostics)
                {
                    out.append(Group(context: context, statements: [compiled]))
                }
            case .mapping, .null:
                let item = MappingReader(element, at: at, diagnostics: reader.diagnostics)
                defer { item.finish() }
                let contextText = item.string("context", default: "")
                guard let context = TransformContext(rawValue: contextText), allowed.contains(context) else {
                    item.report(
                        "context",
                        "expected one of \(allowed.map(\.rawValue).joined(separator: ", ")), got \(quoted(contextText))"
                    )
                    _ = item.value("statements")
                    _ = item.value("conditions")
                    continue
                }
                var conditions: [OTTLCondition] = []
                if let list = item.stringList("conditions") {
                    for (i, text) in list.strings.enumerated() {
                        do {
                            conditions.append(try OTTLCondition.parse(text))
                        } catch {
                            item.diagnostics.report(
                                item.path("conditions").appending(index: i), "\(error): \(quoted(text))")
                        }
                    }
                }
                var statements: [CompiledStatement] = []
                let written = item.stringList("statements")?.strings ?? []
                for (i, text) in written.enumerated() {
                    let sat = item.path("statements").appending(index: i)
                    guard let statement = parse(text, at: sat, item.diagnostics) else { continue }
                    var withConditions = statement
                    // Group conditions: the statements run only where any of them holds, as in the Collector.
                    if var any = conditions.first {
                        for next in conditions.dropFirst() { any = .or(any, next) }
                        withConditions.condition = statement.condition.map { .and(any, $0) } ?? any
                    }
                    if let compiled = compile(withConditions, text, context, sat, item.diagnostics) {
                        statements.append(compiled)
                    }
                }
                if written.isEmpty { item.report("statements", "required: at least one statement") }
                out.append(Group(context: context, statements: statements))
            case .sequence:
                reader.diagnostics.report(at, "expected a statement or {context, statements}, got a list")
            }
        }
        return out
    }

    static func parse(_ text: String, at: ConfigPath, _ diagnostics: Diagnostics) -> OTTLStatement? {
        do {
            return try OTTLStatement.parse(text)
        } catch {
            diagnostics.report(at, "\(error): \(quoted(text))")
            return nil
        }
    }

    static func compile(
        _ statement: OTTLStatement, _ text: String, _ context: TransformContext, _ at: ConfigPath,
        _ diagnostics: Diagnostics
    ) -> CompiledStatement? {
        if let unknown = statement.paths.first(where: { !context.knows($0) }) {
            diagnostics.report(at, "unknown path \(unknown) in the \(context.rawValue) context: \(quoted(text))")
            return nil
        }
        switch CompiledStatement.compile(statement, text: text) {
        case .success(let compiled): return compiled
        case .failure(let problem):
            diagnostics.report(at, "\(problem.message): \(quoted(text))")
            return nil
        }
    }
}

/// Runs the statements of the pipeline's signal, group by group, on every item of each group's context.
public struct TransformProcessor<Data: TelemetryData>: Consumer {
    let groups: [TransformProcessorConfig.Group]
    let next: any Consumer<Data>

    init(config: TransformProcessorConfig, next: any Consumer<Data>) {
        self.groups = config.groups[Data.signal] ?? []
        self.next = next
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        guard !groups.isEmpty else { return try next.consume(data) }
        var data = data
        switch data {
        case let traces as Traces: data = transform(traces) as! Data
        case let metrics as Metrics: data = transform(metrics) as! Data
        case let logs as Logs: data = transform(logs) as! Data
        default: break
        }
        return try next.consume(data)
    }

    private static func run<E: Editable>(_ statements: [CompiledStatement], _ item: inout E) {
        for statement in statements { statement.run(on: &item) }
    }

    func transform(_ traces: Traces) -> Traces {
        var groupsOut = traces.resourceSpans
        for group in groups {
            for r in groupsOut.indices {
                switch group.context {
                case .resource:
                    var item = EditableResource(resource: groupsOut[r].resource)
                    Self.run(group.statements, &item)
                    groupsOut[r].resource = item.resource
                default:
                    for s in groupsOut[r].scopeSpans.indices {
                        let resource = groupsOut[r].resource
                        let scope = groupsOut[r].scopeSpans[s].scope
                        switch group.context {
                        case .scope:
                            var item = EditableScope(scope: scope, resource: resource)
                            Self.run(group.statements, &item)
                            groupsOut[r].scopeSpans[s].scope = item.scope
                        case .span:
                            for i in groupsOut[r].scopeSpans[s].spans.indices {
                                var item = EditableSpan(
                                    span: groupsOut[r].scopeSpans[s].spans[i], resource: resource, scope: scope)
                                Self.run(group.statements, &item)
                                groupsOut[r].scopeSpans[s].spans[i] = item.span
                            }
                        case .spanevent:
                            for i in groupsOut[r].scopeSpans[s].spans.indices {
                                let span = OTTLSpan(
                                    span: groupsOut[r].scopeSpans[s].spans[i], resource: resource, scope: scope)
                                for e in groupsOut[r].scopeSpans[s].spans[i].events.indices {
                                    var item = EditableSpanEvent(
                                        event: groupsOut[r].scopeSpans[s].spans[i].events[e], span: span)
                                    Self.run(group.statements, &item)
                                    groupsOut[r].scopeSpans[s].spans[i].events[e] = item.event
                                }
                            }
                        default:
                            break
                        }
                    }
                }
            }
        }
        // The request metadata stays with the data.
        var out = traces
        out.resourceSpans = groupsOut
        return out
    }

    func transform(_ metrics: Metrics) -> Metrics {
        var out = metrics
        for group in groups {
            for r in out.resourceMetrics.indices {
                if group.context == .resource {
                    var item = EditableResource(resource: out.resourceMetrics[r].resource)
                    Self.run(group.statements, &item)
                    out.resourceMetrics[r].resource = item.resource
                    continue
                }
                let resource = out.resourceMetrics[r].resource
                for s in out.resourceMetrics[r].scopeMetrics.indices {
                    let scope = out.resourceMetrics[r].scopeMetrics[s].scope
                    switch group.context {
                    case .scope:
                        var item = EditableScope(scope: scope, resource: resource)
                        Self.run(group.statements, &item)
                        out.resourceMetrics[r].scopeMetrics[s].scope = item.scope
                    case .metric:
                        for m in out.resourceMetrics[r].scopeMetrics[s].metrics.indices {
                            var item = EditableMetric(
                                metric: out.resourceMetrics[r].scopeMetrics[s].metrics[m], resource: resource,
                                scope: scope)
                            Self.run(group.statements, &item)
                            out.resourceMetrics[r].scopeMetrics[s].metrics[m] = item.metric
                        }
                    case .datapoint:
                        for m in out.resourceMetrics[r].scopeMetrics[s].metrics.indices {
                            let metric = OTTLMetric(
                                metric: out.resourceMetrics[r].scopeMetrics[s].metrics[m], resource: resource,
                                scope: scope)
                            out.resourceMetrics[r].scopeMetrics[s].metrics[m].data.editPoints { attributes, fields in
                                var item = EditableDataPoint(attributes: attributes, fields: fields, metric: metric)
                                Self.run(group.statements, &item)
                                attributes = item.attributes
                                return true
                            }
                        }
                    default:
                        break
                    }
                }
            }
        }
        return out
    }

    func transform(_ logs: Logs) -> Logs {
        var out = logs
        for group in groups {
            for r in out.resourceLogs.indices {
                if group.context == .resource {
                    var item = EditableResource(resource: out.resourceLogs[r].resource)
                    Self.run(group.statements, &item)
                    out.resourceLogs[r].resource = item.resource
                    continue
                }
                let resource = out.resourceLogs[r].resource
                for s in out.resourceLogs[r].scopeLogs.indices {
                    let scope = out.resourceLogs[r].scopeLogs[s].scope
                    switch group.context {
                    case .scope:
                        var item = EditableScope(scope: scope, resource: resource)
                        Self.run(group.statements, &item)
                        out.resourceLogs[r].scopeLogs[s].scope = item.scope
                    case .log:
                        for i in out.resourceLogs[r].scopeLogs[s].logRecords.indices {
                            var item = EditableLogRecord(
                                record: out.resourceLogs[r].scopeLogs[s].logRecords[i], resource: resource, scope: scope
                            )
                            Self.run(group.statements, &item)
                            out.resourceLogs[r].scopeLogs[s].logRecords[i] = item.record
                        }
                    default:
                        break
                    }
                }
            }
        }
        return out
    }
}

/// `transform`, in every pipeline type; each runs its signal's statements.
public struct TransformProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["transform"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        TransformProcessorConfig(from: reader)
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? TransformProcessorConfig else { throw ComponentBuildError("not a transform config") }
        return TransformProcessor<D>(config: c, next: next)
    }
}
