internal import GatewayCore
public import MetricStore
public import SelfTelemetry
internal import Synchronization

/// What a running gateway shows about itself to a page (the `zpages` extension): the configured graph, the
/// self-metrics, and the stores that components hold (metric series, recent traces).
///
/// Filled while the graph is built (components register their stores through `BuildContext.inspection`) and read
/// while it runs; an extension is built before the pipelines, so it keeps this object and reads it per request.
public final class GraphInspection: Sendable {
    /// One configured pipeline, by component IDs.
    public struct Pipeline: Sendable, Hashable {
        public var id: String
        public var signal: String
        public var receivers: [String]
        public var processors: [String]
        public var exporters: [String]

        public init(id: String, signal: String, receivers: [String], processors: [String], exporters: [String]) {
            self.id = id
            self.signal = signal
            self.receivers = receivers
            self.processors = processors
            self.exporters = exporters
        }
    }

    /// The configured graph: pipelines, which IDs are connectors, and the extensions in start order.
    public struct Shape: Sendable, Hashable {
        public var pipelines: [Pipeline]
        public var connectors: Set<String>
        public var extensions: [String]

        public init(pipelines: [Pipeline] = [], connectors: Set<String> = [], extensions: [String] = []) {
            self.pipelines = pipelines
            self.connectors = connectors
            self.extensions = extensions
        }
    }

    private struct State {
        var shape = Shape()
        var metricStores: [(name: String, store: MetricStore)] = []
        var traceStores: [(name: String, view: any TraceStoreView)] = []
    }

    public let registry: TelemetryRegistry
    /// The gateway's version, for pages and `buildinfo`.
    public let version: String
    /// When the gateway started, nanoseconds since the epoch.
    public let startTimeUnixNano: UInt64
    private let state = Mutex(State())

    public init(registry: TelemetryRegistry, version: String = "dev", startTimeUnixNano: UInt64? = nil) {
        self.registry = registry
        self.version = version
        self.startTimeUnixNano = startTimeUnixNano ?? WallClock.nowUnixNano()
    }

    public var shape: Shape {
        get { state.withLock { $0.shape } }
        set { state.withLock { $0.shape = newValue } }
    }

    /// Registers a metric store under the name of the first component that reads it; a store already registered
    /// (the pull and remote-write exporters share one per settings) is not added twice.
    public func addMetricStore(_ name: String, _ store: MetricStore) {
        state.withLock { s in
            guard !s.metricStores.contains(where: { $0.store === store }) else { return }
            s.metricStores.append((name, store))
        }
    }

    /// Registers a component's recent-trace store.
    public func addTraceStore(_ name: String, _ view: any TraceStoreView) {
        state.withLock { $0.traceStores.append((name, view)) }
    }

    /// The metric stores in registration order.
    public var metricStores: [(name: String, store: MetricStore)] { state.withLock { $0.metricStores } }

    /// The trace stores in registration order.
    public var traceStores: [(name: String, view: any TraceStoreView)] { state.withLock { $0.traceStores } }
}

/// A component's store of recent traces as a page reads it: Tempo's query API (the same engine Grafana's Tempo
/// data source uses) and a per-service summary.
public protocol TraceStoreView: Sendable {
    /// Answers a Tempo API request (`/api/search?q=...`, `/api/v2/traces/<id>`, tags and tag values) as the
    /// component's own endpoint does.
    func tempoRequest(method: String, target: String, accept: String?) -> InspectionResponse
    /// Rate, errors and duration per `service.name` over the stored spans.
    func serviceSummaries() -> [ServiceSummary]
}

/// An HTTP answer produced without sockets.
public struct InspectionResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
    /// The body as text (for tests and logs).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Spans, errors and duration percentiles of one service over a trace store's spans.
public struct ServiceSummary: Sendable, Hashable {
    public var service: String
    public var spans: Int
    public var errors: Int
    public var p50Nanos: UInt64
    public var p95Nanos: UInt64
    public var p99Nanos: UInt64
    /// Earliest span start and latest span end, to turn counts into rates.
    public var firstStartUnixNano: UInt64
    public var lastEndUnixNano: UInt64

    public init(
        service: String, spans: Int, errors: Int, p50Nanos: UInt64, p95Nanos: UInt64, p99Nanos: UInt64,
        firstStartUnixNano: UInt64, lastEndUnixNano: UInt64
    ) {
        self.service = service
        self.spans = spans
        self.errors = errors
        self.p50Nanos = p50Nanos
        self.p95Nanos = p95Nanos
        self.p99Nanos = p99Nanos
        self.firstStartUnixNano = firstStartUnixNano
        self.lastEndUnixNano = lastEndUnixNano
    }
}
