public import AttributeActions
public import ComponentKit
public import GatewayCore

/// The `resource` processor, `processors.resource[/name]`: the Collector's actions (`insert`, `update`, `upsert`,
/// `delete`, `hash`, `extract`, `convert`) on the resource attributes of every signal, listed under `attributes`.
public struct ResourceProcessorConfig: ComponentConfig {
    /// `attributes`: the actions, applied in order; at least one.
    public var actions: AttributeActions

    public init(actions: AttributeActions) { self.actions = actions }

    init(from reader: MappingReader) {
        self.init(actions: AttributeActions(AttributeAction.decodeList(reader, key: "attributes")))
    }
}

/// Applies the actions to each resource, then hands the data on. Traces forwarded in wire form are decoded here,
/// since their resources change.
public struct ResourceProcessor<Data: TelemetryData>: Consumer {
    public let actions: AttributeActions
    public let next: any Consumer<Data>

    public init(actions: AttributeActions, next: any Consumer<Data>) {
        self.actions = actions
        self.next = next
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        var data = data
        data.editResources { actions.apply(to: &$0.attributes) }
        return try next.consume(data)
    }
}

/// `resource`, in every pipeline type.
public struct ResourceProcessorFactory: ProcessorFactory {
    public init() {}

    public var types: [String] { ["resource"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        ResourceProcessorConfig(from: reader)
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? ResourceProcessorConfig else { throw ComponentBuildError("not a resource config") }
        return ResourceProcessor<D>(actions: c.actions, next: next)
    }
}
