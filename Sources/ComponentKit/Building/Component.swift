public import GatewayCore
public import Logging
public import SelfTelemetry
internal import Synchronization

/// A component's decoded settings. The assembly keeps them as `any ComponentConfig` and hands them back to the
/// factory that decoded them, which is the only code that knows the concrete type.
public protocol ComponentConfig: Sendable {
    /// Why this component cannot be used in a pipeline of `signal`, as the end of a problem message that starts
    /// with its ID; nil when it can.
    func signalProblem(_ signal: Signal) -> String?
}

extension ComponentConfig {
    public func signalProblem(_ signal: Signal) -> String? { nil }
}

/// A config whose component keeps data on disk through a storage extension (`sending_queue.storage`): a batch
/// processor upstream of it then journals what it accepts in the same storage.
public protocol PersistentConfig: ComponentConfig {
    /// The storage extension in use, nil while the data stays in memory.
    var storageExtension: ComponentID? { get }
}

/// A config with network listeners: the assembly scales every listener's `max_connections` so that together
/// they fit the process's open-files limit.
public protocol ListenerConfig: ComponentConfig {
    /// The configured `max_connections` of each listener.
    var maxConnections: [Int] { get }
}

/// What every factory declares: the type names it answers to and how its section is decoded.
///
/// A factory is the one place that knows a component's config type; adding a component type is one factory in
/// the assembly's table, and nothing else outside the component's own folder.
public protocol ComponentFactory: Sendable {
    /// The type as written in YAML first, then any other spelling (`otlp_grpc` for `otlp`).
    var types: [String] { get }
    /// Decodes the section; problems go to the reader, and the result is used only when there are none.
    func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig
}

/// Makes a receiver: the source of data for the pipelines that list it.
public protocol ReceiverFactory: ComponentFactory {
    /// Adds the receiver's listeners or parts to `context`, feeding `context.consumers`.
    func build(_ config: any ComponentConfig, _ context: ReceiverContext) throws
}

/// Makes a processor: one instance per pipeline, as in the Collector (`context.shared` for state shared by ID).
public protocol ProcessorFactory: ComponentFactory {
    /// The processor in front of `next`.
    func build<Data: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<Data>, _ context: ProcessorContext
    ) throws -> any Consumer<Data>
}

/// Makes an exporter: one instance per exporter ID and signal, shared by that signal's pipelines.
public protocol ExporterFactory: ComponentFactory {
    /// The exporter of `Data`; throws a `ComponentBuildError` when it cannot export that signal.
    func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data>
}

/// Makes a connector: an exporter of `from` pipelines and a receiver of `to` pipelines.
public protocol ConnectorFactory: ComponentFactory {
    /// The signal of the pipelines it is an exporter of (`from`) and of those it feeds (`to`).
    var signals: (from: Signal, to: Signal) { get }
    /// The connector's input, feeding `next` (the heads of the `to` pipelines that list it).
    func build<From: TelemetryData, To: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<To>, as signal: From.Type, _ context: BuildContext
    ) throws -> any Consumer<From>
}

/// Makes an extension: started before every pipeline and stopped after them.
public protocol ExtensionFactory: ComponentFactory {
    /// What other components may ask of this extension type, checked where a config names one.
    var capabilities: Set<ExtensionCapability> { get }
    func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension
}

/// What an extension offers to the components that name it.
public enum ExtensionCapability: String, Sendable, Hashable, CaseIterable {
    /// Credentials for exporters' requests (`auth.authenticator` of an exporter): `ClientAuthenticator`.
    case clientAuth
    /// Checks receivers' requests (`auth.authenticator` of a listener): `ServerAuthenticator`.
    case serverAuth
    /// A place on disk for queues and journals (`sending_queue.storage`): `StorageExtension`.
    case storage
}

/// The component types a gateway knows, per kind; the assembly's table, and what the document decoder looks
/// types up in.
public struct ComponentTable: Sendable {
    public var receivers: [String: any ReceiverFactory] = [:]
    public var processors: [String: any ProcessorFactory] = [:]
    public var exporters: [String: any ExporterFactory] = [:]
    public var connectors: [String: any ConnectorFactory] = [:]
    public var extensions: [String: any ExtensionFactory] = [:]

    public init(
        receivers: [any ReceiverFactory] = [], processors: [any ProcessorFactory] = [],
        exporters: [any ExporterFactory] = [], connectors: [any ConnectorFactory] = [],
        extensions: [any ExtensionFactory] = []
    ) {
        for factory in receivers { for type in factory.types { self.receivers[type] = factory } }
        for factory in processors { for type in factory.types { self.processors[type] = factory } }
        for factory in exporters { for type in factory.types { self.exporters[type] = factory } }
        for factory in connectors { for type in factory.types { self.connectors[type] = factory } }
        for factory in extensions { for type in factory.types { self.extensions[type] = factory } }
    }

    /// The extension types offering `capability`, sorted, for problem messages and reference checks.
    public func extensionTypes(offering capability: ExtensionCapability) -> [String] {
        extensions.filter { $0.value.capabilities.contains(capability) }.keys.sorted()
    }
}

/// Why a component could not be built from a valid config (a file that cannot be read, a port in use); the
/// description starts with the YAML path of what is wrong.
public struct ComponentBuildError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Stops a long-running part at a graceful shutdown.
public enum StopStage: Int, CaseIterable, Comparable, Sendable {
    /// What produces data: the engine, scrapers.
    case receivers
    /// Processors of traces pipelines, which feed the connectors.
    case tracesProcessors
    /// Connectors, which feed the metrics and logs pipelines.
    case connectors
    /// The processors of every other pipeline.
    case processors
    /// Exporters, last, so that every flush before them has somewhere to go.
    case exporters

    public static func < (a: StopStage, b: StopStage) -> Bool { a.rawValue < b.rawValue }

    /// Where a processor of a `signal` pipeline stops: traces pipelines feed the connectors.
    public static func processors(of signal: Signal) -> StopStage {
        signal == .traces ? .tracesProcessors : .processors
    }
}

/// One long-running part of a component. Stopping cancels its task, except where it has a `drain`: that is
/// called instead (an exporter finishing its queue), and the task is cancelled only if it outlives the shutdown
/// timeout.
public struct Part: Sendable {
    public var stage: StopStage
    public var name: String
    public var drain: (@Sendable () -> Void)?
    public var run: @Sendable () async -> Void

    public init(
        stage: StopStage, name: String, drain: (@Sendable () -> Void)? = nil, run: @escaping @Sendable () async -> Void
    ) {
        self.stage = stage
        self.name = name
        self.drain = drain
        self.run = run
    }
}

/// A network listener: started once the whole graph is built (a failure fails the start), shut down first on a
/// graceful stop (no new connections, in-flight requests finish).
public protocol Listener: Sendable {
    func start() async throws
    func shutdown() async
}

/// A running extension. The capability protocols below say what it offers.
public protocol Extension: Sendable {
    /// Opens what the extension serves (an endpoint); before any pipeline starts.
    func start() async throws
    /// Closes it; after every pipeline has stopped.
    func shutdown() async
}

extension Extension {
    public func start() async throws {}
    public func shutdown() async {}
}

/// Credentials an exporter sends (`basicauth` `client_auth`, `bearertokenauth`).
public protocol ClientAuthenticator: Extension {
    /// The `Authorization` header value; throws when this extension is not configured for clients.
    func authorizationHeader() throws -> String
}

/// Checks a listener's requests (`basicauth` `htpasswd`, `bearertokenauth`).
public protocol ServerAuthenticator: Extension {
    /// The credentials a request must carry; throws when this extension is not configured for servers.
    func requestAuthenticator() throws -> RequestAuthenticator
}

/// Headers an exporter sets on each request from the data's request metadata (`headers_setter`), referenced like
/// a client authenticator (`auth.authenticator`).
public protocol RequestHeadersSetter: ClientAuthenticator {
    /// Changes `headers` (the exporter's own) for a request carrying `metadata`.
    func apply(to headers: inout [(String, String)], metadata: ClientMetadata)
    /// Whether a header's value comes from the metadata: then requests differ per tenant.
    var usesMetadata: Bool { get }
}

/// A directory for persistent queues and journals (`file_storage`).
public protocol StorageExtension: Extension {
    /// Whether writes are flushed to the disk before they are acknowledged.
    var fsync: Bool { get }
    /// A directory of its own for `owner` (an exporter and signal, a batch processor and pipeline), made if
    /// missing; a name of letters, digits, `-` and `_`, so owners never share files.
    func directory(for owner: String) throws -> String
}

/// Whether the gateway is serving: set once every receiver has started, cleared when a stop begins.
public final class HealthStatus: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isHealthy: Bool { flag.load(ordering: .relaxed) }

    public func set(_ healthy: Bool) { flag.store(healthy, ordering: .relaxed) }
}

/// What every factory gets while the graph is built: who it is, the shared telemetry, the started extensions and
/// a place to register long-running parts.
public final class BuildContext {
    /// The component being built.
    public let id: ComponentID
    public let registry: TelemetryRegistry
    public let logger: Logger
    public let health: HealthStatus
    private let graph: GraphBuilder

    /// What pages show of the running graph: components register their stores here.
    public var inspection: GraphInspection { graph.inspection }

    public init(id: ComponentID, graph: GraphBuilder) {
        self.id = id
        self.graph = graph
        self.registry = graph.registry
        self.logger = graph.logger
        self.health = graph.health
    }

    /// Adds a long-running part, stopped at `stage` on a graceful shutdown.
    public func addPart(
        _ stage: StopStage, _ name: String, drain: (@Sendable () -> Void)? = nil,
        _ run: @escaping @Sendable () async -> Void
    ) {
        graph.parts.append(Part(stage: stage, name: name, drain: drain, run: run))
    }

    /// Adds a listener, started after the graph is built and shut down first.
    public func addListener(_ listener: any Listener) { graph.listeners.append(listener) }

    /// The object made once per `key` for the whole graph (a memory limiter per ID, a metric store per
    /// settings), shared by every instance that asks with the same key.
    public func shared<Object>(_ key: AnyHashable, _ make: () throws -> Object) rethrows -> Object {
        if let existing = graph.sharedObjects[key] as? Object { return existing }
        let made = try make()
        graph.sharedObjects[key] = made
        return made
    }

    /// Makes contexts for components this one builds and runs itself, now or later (a `loadbalancing` exporter's
    /// exporter per backend, made when a backend appears).
    public var children: ChildContexts {
        ChildContexts(
            registry: registry, logger: logger, health: health, inspection: inspection, extensions: graph.extensions)
    }

    /// The extension `extensionID` as a `Capability`; the config decoder has already checked its type, so a
    /// failure here names an extension that did not start.
    public func extensionAs<Capability>(_ extensionID: ComponentID, _: Capability.Type, key: String) throws
        -> Capability
    {
        guard let found = graph.extensions[extensionID] else {
            throw ComponentBuildError("\(key): extension \(extensionID) is not started")
        }
        guard let capable = found as? Capability else {
            throw ComponentBuildError("\(key): extension \(extensionID) cannot be used here")
        }
        return capable
    }
}

/// Contexts for components built inside another one, with the same telemetry, extensions and inspection, each
/// with a graph of its own whose parts the caller runs and stops.
public struct ChildContexts: Sendable {
    let registry: TelemetryRegistry
    let logger: Logger
    let health: HealthStatus
    let inspection: GraphInspection
    let extensions: [ComponentID: any Extension]

    /// A context for the component `id`, and the graph its parts go to.
    public func make(id: ComponentID) -> (context: BuildContext, graph: GraphBuilder) {
        let builder = GraphBuilder(registry: registry, logger: logger, health: health, inspection: inspection)
        builder.extensions = extensions
        return (BuildContext(id: id, graph: builder), builder)
    }
}

/// The graph under construction, as components see it through their contexts.
public final class GraphBuilder {
    public let registry: TelemetryRegistry
    public let logger: Logger
    public let health: HealthStatus
    public var parts: [Part] = []
    public var listeners: [any Listener] = []
    public var extensions: [ComponentID: any Extension] = [:]
    public let inspection: GraphInspection
    var sharedObjects: [AnyHashable: Any] = [:]

    public init(
        registry: TelemetryRegistry, logger: Logger, health: HealthStatus, inspection: GraphInspection? = nil
    ) {
        self.registry = registry
        self.logger = logger
        self.health = health
        self.inspection = inspection ?? GraphInspection(registry: registry)
    }
}

/// A receiver's build context: the heads of the pipelines that list it, per signal.
public final class ReceiverContext {
    public let base: BuildContext
    public let traces: (any Consumer<Traces>)?
    public let metrics: (any Consumer<Metrics>)?
    public let logs: (any Consumer<Logs>)?
    /// The memory limiters of the pipelines it feeds, to refuse before a request body is read.
    public let admission: MemoryAdmission
    /// Scales a configured `max_connections` to this process's share of the open-files limit.
    public let connectionShare: @Sendable (Int) -> Int

    public init(
        base: BuildContext, traces: (any Consumer<Traces>)?, metrics: (any Consumer<Metrics>)?,
        logs: (any Consumer<Logs>)?, admission: MemoryAdmission, connectionShare: @escaping @Sendable (Int) -> Int
    ) {
        self.base = base
        self.traces = traces
        self.metrics = metrics
        self.logs = logs
        self.admission = admission
        self.connectionShare = connectionShare
    }
}

/// A processor's build context: where in which pipeline it sits.
public final class ProcessorContext {
    public let base: BuildContext
    public let pipeline: PipelineID
    /// Its index in the pipeline's `processors` list.
    public let position: Int
    /// The storage extension of the first exporter of the pipeline with a persistent queue, if any.
    public let persistentStorage: ComponentID?
    private let admit: (MemoryPressure) -> Void

    public init(
        base: BuildContext, pipeline: PipelineID, position: Int, persistentStorage: ComponentID?,
        admit: @escaping (MemoryPressure) -> Void
    ) {
        self.base = base
        self.pipeline = pipeline
        self.position = position
        self.persistentStorage = persistentStorage
        self.admit = admit
    }

    /// Makes the receivers of this pipeline refuse requests while `pressure` says so, before reading a body.
    public func addAdmission(_ pressure: MemoryPressure) { admit(pressure) }
}
