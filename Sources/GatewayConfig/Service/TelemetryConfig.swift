public import ComponentKit

/// The gateway's own metrics and logs: `service.telemetry`.
public struct TelemetryConfig: Sendable, Equatable {
    /// How many self-metrics are produced; `none` turns the metrics endpoint off.
    public enum MetricsLevel: String, Sendable, CaseIterable {
        case none
        case basic
        case normal
        case detailed
    }

    /// `metrics.level`: `none`, `basic`, `normal` or `detailed` (any case). Default `normal`, as the Collector.
    public var metricsLevel: MetricsLevel
    /// `metrics.address`: where self-metrics are served for Prometheus to scrape, `host:port`.
    /// Default `127.0.0.1:8888`.
    public var metricsAddress: String
    /// `metrics.tls`: serve self-metrics over https only (the keys of the `otlp` receiver's `tls`). Ours: the
    /// Collector configures this through its OpenTelemetry SDK readers. Default nil (plain http).
    public var metricsTLS: ServerTLSConfig?
    /// `logs.level`: `debug`, `info`, `warn` or `error` (any case; stored lower case). Default `info`.
    public var logsLevel: String
    /// `logs.encoding`: `console` (one readable line per event, the default) or `json` (one JSON object per line).
    public var logsEncoding: LogsEncoding = .console

    /// How log lines are written.
    public enum LogsEncoding: String, Sendable, CaseIterable {
        case console, json
    }

    /// Whether self-metrics are served at all (`metrics.level` is not `none`).
    public var metricsEnabled: Bool { metricsLevel != .none }

    public init(
        metricsLevel: MetricsLevel = .normal, metricsAddress: String = "127.0.0.1:8888", logsLevel: String = "info",
        metricsTLS: ServerTLSConfig? = nil
    ) {
        self.metricsLevel = metricsLevel
        self.metricsAddress = metricsAddress
        self.logsLevel = logsLevel
        self.metricsTLS = metricsTLS
    }
}

extension TelemetryConfig: ConfigSection {
    private enum LogLevel: String, CaseIterable {
        case debug, info, warn, error
    }

    public init(from reader: MappingReader) {
        self.init()
        let defaults = TelemetryConfig()
        reader.section("metrics") { metrics in
            metricsLevel = metrics.choice("level", default: defaults.metricsLevel)
            metricsAddress = metrics.endpoint("address", default: defaults.metricsAddress)
            metricsTLS = metrics.section("tls", as: ServerTLSConfig.self)
        }
        reader.section("logs") { logs in
            logsLevel = logs.choice("level", default: LogLevel(rawValue: defaults.logsLevel)!).rawValue
            logsEncoding = logs.choice("encoding", default: defaults.logsEncoding)
            if let paths = logs.stringList("output_paths") {
                for path in paths.strings where path != "stderr" {
                    logs.report(
                        "output_paths",
                        "only stderr is supported here (logs go to the container's stderr), got \(quoted(path))")
                }
            }
            // The Collector's zap settings: accepted, with no effect on these logs.
            for key in [
                "development", "disable_caller", "disable_stacktrace", "sampling", "error_output_paths",
                "initial_fields",
            ]
            where logs.contains(key) {
                _ = logs.value(key)
            }
        }
    }
}
