public import ComponentKit
public import GatewayCore
internal import Logging
internal import NIOPosix

extension MemoryExporterConfig: ComponentConfig {
    public func signalProblem(_ signal: Signal) -> String? { signal == .traces ? nil : "supports traces only" }
}

/// `memory`: keeps the most recent traces, bounded in bytes, behind a Tempo-compatible query API.
public struct MemoryTraceExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["memory"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        MemoryExporterConfig(from: reader)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let c = config as? MemoryExporterConfig else { throw ComponentBuildError("not a memory config") }
        let id = context.id
        guard Data.signal == .traces else {
            throw ComponentBuildError("exporter \(id) supports traces pipelines only")
        }
        guard let (host, port) = parseHostPort(c.endpoint) else {
            throw ComponentBuildError("exporters.\(id).endpoint: invalid")
        }
        let tls = try ListenerSecurityWiring.endpointTLS(c.tls, path: "exporters.\(id)")
        let exporter = MemoryTraceExporter(
            name: id.description, maxBytes: c.maxBytes, host: host, port: port, registry: context.registry,
            logger: context.logger)
        context.inspection.addTraceStore(id.description, exporter)
        let logger = context.logger
        context.addPart(.exporters, "exporters.\(id)") {
            do { try await exporter.run(group: MultiThreadedEventLoopGroup.singleton, tls: tls) } catch {
                logger.error("memory exporter stopped", metadata: ["exporter": "\(id)", "error": "\(error)"])
            }
        }
        guard let typed = exporter as? any Consumer<Data> else {
            throw ComponentBuildError("exporter \(id) supports traces pipelines only")
        }
        return typed
    }
}

/// What the `zpages` page reads of this exporter: its Tempo API and per-service figures.
extension MemoryTraceExporter: TraceStoreView {
    public func tempoRequest(method: String, target: String, accept: String?) -> InspectionResponse {
        api.handle(method: method, target: target, accept: accept)
    }

    public func serviceSummaries() -> [ServiceSummary] {
        store.serviceSummaries().map {
            ServiceSummary(
                service: $0.service, spans: $0.spans, errors: $0.errors, p50Nanos: $0.p50, p95Nanos: $0.p95,
                p99Nanos: $0.p99, firstStartUnixNano: $0.first, lastEndUnixNano: $0.last)
        }
    }
}
