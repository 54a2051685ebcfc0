public import ComponentKit
internal import GatewayCore

extension DecodingContext {
    /// Checks how the pipelines use the connector `id`, reporting at the connector (`connectors.<id>`): a
    /// connector that takes `from` and emits `to` may only be an exporter of `from` pipelines and a receiver
    /// of `to` pipelines, and data it takes must reach a pipeline and the reverse. A connector no pipeline
    /// uses is fine, like any unused component.
    func checkConnectorUse(_ id: ComponentID, from: Signal, to: Signal, reader: MappingReader) {
        let exportedFrom = pipelines.filter { $0.exporters.contains(id) }.map(\.id)
        let receivedIn = pipelines.filter { $0.receivers.contains(id) }.map(\.id)
        let connects = "\(id.type) connects \(from.rawValue) pipelines to \(to.rawValue) pipelines"
        for pipeline in exportedFrom where pipeline.signal != from {
            reader.report("cannot be an exporter of service.pipelines.\(pipeline): \(connects)")
        }
        for pipeline in receivedIn where pipeline.signal != to {
            reader.report("cannot be a receiver of service.pipelines.\(pipeline): \(connects)")
        }
        let feeding = exportedFrom.first { $0.signal == from }
        let fed = receivedIn.first { $0.signal == to }
        if let feeding, fed == nil {
            reader.report(
                "used as exporter in service.pipelines.\(feeding) but no \(to.rawValue) pipeline receives from it")
        }
        if let fed, feeding == nil {
            reader.report(
                "used as receiver in service.pipelines.\(fed) but no \(from.rawValue) pipeline exports to it")
        }
    }
}
