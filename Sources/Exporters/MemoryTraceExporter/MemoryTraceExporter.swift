internal import ComponentKit
public import GatewayCore
public import HTTP1Transport
public import Logging
public import NIOCore
internal import NIOHTTP1
public import SelfTelemetry

/// The `memory_traces` exporter: keeps recent traces in a `RecentTraceStore` and serves them on a
/// Tempo-compatible HTTP API (see `TempoAPI`), so traces can be looked at before a tracing backend runs.
///
/// Self-metrics, each labelled `exporter=<name>`:
/// - `otelcol_exporter_sent_spans_total`: spans stored;
/// - `otlp_gateway_trace_store_traces`, `otlp_gateway_trace_store_bytes`: the store's size, read at scrape time;
/// - `otlp_gateway_trace_store_evicted_traces_total`: traces evicted to make room;
/// - `otlp_gateway_trace_store_dropped_spans_total`: spans dropped (their trace would outgrow the store, or
///   their trace id was invalid).
///
/// Dropped spans are counted, not refused: the store is a local convenience, and reporting them to the client
/// as a partial success would suggest resending to a pipeline that has other exporters.
public final class MemoryTraceExporter: Consumer, Sendable {
    public typealias Data = Traces

    public let name: String
    public let store: RecentTraceStore
    private let host: String
    private let port: Int
    private let logger: Logger
    private let sent: TelemetryCounter
    private let evicted: TelemetryCounter
    private let dropped: TelemetryCounter

    /// - Parameters:
    ///   - host: `endpoint`'s host to listen on; default `localhost`, since the API has no authentication.
    ///   - port: `endpoint`'s port; default 3200, Tempo's HTTP port, so Grafana's Tempo data source works unchanged.
    ///   - store: where traces are kept; default a store of `RecentTraceStore.defaultMaxBytes` (64 MiB).
    public init(
        name: String,
        host: String = "localhost",
        port: Int = 3200,
        store: RecentTraceStore = RecentTraceStore(),
        registry: TelemetryRegistry,
        logger: Logger = Logger(label: "otlp-gateway.memory-trace-exporter")
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.store = store
        self.logger = logger
        let labels = ["exporter": name]
        sent = registry.counter(
            "otelcol_exporter_sent_spans_total", help: "Number of spans successfully sent to destination.",
            labels: labels)
        evicted = registry.counter(
            "otlp_gateway_trace_store_evicted_traces_total",
            help: "Traces evicted from the recent-trace store to make room.", labels: labels)
        dropped = registry.counter(
            "otlp_gateway_trace_store_dropped_spans_total",
            help:
                "Spans the recent-trace store dropped: their trace would exceed the store's size, or their trace id was invalid.",
            labels: labels)
        registry.register(
            "otlp_gateway_trace_store_traces", kind: .gauge, help: "Traces held by the recent-trace store.",
            labels: labels
        ) { [store] in
            Double(store.traceCount)
        }
        registry.register(
            "otlp_gateway_trace_store_bytes", kind: .gauge,
            help: "Estimated bytes of the spans held by the recent-trace store.", labels: labels
        ) { [store] in
            Double(store.byteCount)
        }
    }

    /// An exporter with its own store of `maxBytes` (config key `max_bytes`).
    public convenience init(
        name: String,
        maxBytes: Int,
        host: String = "localhost",
        port: Int = 3200,
        registry: TelemetryRegistry,
        logger: Logger = Logger(label: "otlp-gateway.memory-trace-exporter")
    ) {
        self.init(
            name: name, host: host, port: port, store: RecentTraceStore(maxBytes: maxBytes), registry: registry,
            logger: logger)
    }

    public func consume(_ traces: Traces) throws(PipelineError) -> ConsumeResult {
        let result = store.add(traces)
        sent.add(result.storedSpans)
        evicted.add(result.evictedTraces)
        dropped.add(result.droppedSpans)
        return .accepted
    }

    /// The HTTP API over this exporter's store.
    public var api: TempoAPI { TempoAPI(store: store) }

    /// Serves the Tempo API on `host:port` until cancelled.
    /// - Parameter tls: https only, with these handlers first on every connection; nil serves plain http.
    public func run(group: any EventLoopGroup, tls: SimpleHTTPServer.TLSHandlers? = nil) async throws {
        let api = self.api
        let server = try await SimpleHTTPServer.start(host: host, port: port, group: group, tls: tls) {
            method, target, headers in
            let response = api.handle(method: method.rawValue, target: target, accept: headers.first(name: "accept"))
            return SimpleHTTPServer.Response(
                status: HTTPResponseStatus(statusCode: response.status),
                contentType: response.contentType,
                body: response.body
            )
        }
        logger.info(
            "memory trace exporter listening",
            metadata: ["exporter": "\(name)", "endpoint": "\(server.localAddress?.description ?? "?")"])
        do {
            while true { try await Task.sleep(for: .seconds(3600)) }
        } catch {}
        await server.close()
    }
}
