internal import HTTP1Transport
public import Logging
public import MetricStore
public import NIOCore
internal import NIOHTTP1
public import PrometheusTranslation

/// The `prometheus` exporter: serves the metric store on `GET /metrics` for Prometheus to scrape, in the text
/// format 0.0.4, or OpenMetrics when the scraper asks for it in `Accept` and `enable_open_metrics` is set.
public final class PrometheusExporter: Sendable {
    public let name: String
    private let host: String
    private let port: Int
    private let store: MetricStore
    private let constLabels: [PrometheusLabel]
    private let openMetrics: Bool
    private let tls: (@Sendable () throws -> [any ChannelHandler])?
    private let logger: Logger

    /// `tls` makes the scrape endpoint https only.
    public init(
        name: String, host: String, port: Int, store: MetricStore, constLabels: [PrometheusLabel] = [],
        enableOpenMetrics: Bool = false,
        tls: (@Sendable () throws -> [any ChannelHandler])? = nil, logger: Logger
    ) {
        self.tls = tls
        self.name = name
        self.host = host
        self.port = port
        self.store = store
        self.constLabels = constLabels.sorted()
        self.openMetrics = enableOpenMetrics
        self.logger = logger
    }

    /// Serves until cancelled.
    public func run(group: any EventLoopGroup) async throws {
        let store = self.store
        let constLabels = self.constLabels
        let openMetrics = self.openMetrics
        let server = try await SimpleHTTPServer.start(host: host, port: port, group: group, tls: tls) {
            method, target, headers in
            guard SimpleHTTPServer.path(of: target) == "/metrics" else {
                return .init(status: .notFound, contentType: "text/plain", body: Array("404 page not found\n".utf8))
            }
            guard method == .GET || method == .HEAD else {
                return .init(
                    status: .methodNotAllowed, contentType: "text/plain", body: Array("405 method not allowed\n".utf8))
            }
            let wantsOpenMetrics =
                openMetrics && headers["accept"].contains { $0.contains("application/openmetrics-text") }
            let body = PrometheusTextFormat.render(
                store.snapshot(), openMetrics: wantsOpenMetrics, constLabels: constLabels)
            return .init(
                status: .ok,
                contentType: wantsOpenMetrics
                    ? PrometheusTextFormat.openMetricsContentType : PrometheusTextFormat.textContentType, body: body)
        }
        logger.info(
            "prometheus exporter listening",
            metadata: ["exporter": "\(name)", "endpoint": "\(server.localAddress?.description ?? "?")"])
        do {
            while true { try await Task.sleep(for: .seconds(3600)) }
        } catch {}
        await server.close()
    }
}
