public import GatewayCore
public import SelfTelemetry
internal import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `debug` exporter: writes a summary line per batch (and each item with `verbosity: detailed`) to
/// standard output, one write per batch so lines of concurrent batches never interleave.
///
/// Format, one line per batch:
/// `exporter=debug signal=traces resource_spans=1 spans=2` (metrics: `resource_metrics= metrics= data_points=`;
/// logs: `resource_logs= log_records=`).
public final class DebugExporter<Data: TelemetryData>: Consumer, Sendable {
    public enum Verbosity: String, Sendable { case basic, normal, detailed }

    private let name: String
    private let verbosity: Verbosity
    private let sink: @Sendable (String) -> Void
    private let sent: TelemetryCounter
    private let failed: TelemetryCounter

    /// `sink` receives each batch's text; the default writes to standard output and flushes it.
    public init(
        name: String, verbosity: Verbosity, registry: TelemetryRegistry, sink: (@Sendable (String) -> Void)? = nil
    ) {
        self.name = name
        self.verbosity = verbosity
        self.sink = sink ?? DebugExporterOutput.standardOutput
        let unit = Data.signal.itemUnit
        sent = registry.counter(
            "otelcol_exporter_sent_\(unit)_total", help: "Number of \(unit) successfully sent to destination.",
            labels: ["exporter": name])
        failed = registry.counter(
            "otelcol_exporter_send_failed_\(unit)_total", help: "Number of \(unit) that failed to be sent.",
            labels: ["exporter": name])
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        var text = ""
        switch data {
        case let traces as Traces:
            DebugFormat.traces(traces, exporter: name, detailed: verbosity == .detailed, into: &text)
        case let metrics as Metrics:
            DebugFormat.metrics(metrics, exporter: name, detailed: verbosity == .detailed, into: &text)
        case let logs as Logs: DebugFormat.logs(logs, exporter: name, detailed: verbosity == .detailed, into: &text)
        default: preconditionFailure("DebugExporter supports traces, metrics and logs")
        }
        sink(text)
        sent.add(data.itemCount)
        return .accepted
    }
}

enum DebugExporterOutput {
    private static let lock = Mutex(())

    static let standardOutput: @Sendable (String) -> Void = { text in
        lock.withLock { _ in
            var text = text
            // write(2) on fd 1: unbuffered, so lines are visible at once to whoever reads the output.
            text.withUTF8 { utf8 in
                var offset = 0
                while offset < utf8.count {
                    let n = write(1, utf8.baseAddress! + offset, utf8.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += n
                }
            }
        }
    }
}

/// The debug exporter's text format.
public enum DebugFormat {
    public static func traces(_ t: Traces, exporter: String, detailed: Bool, into out: inout String) {
        out += "exporter=\(exporter) signal=traces resource_spans=\(t.resourceSpanCount) spans=\(t.spanCount)\n"
        guard detailed else { return }
        for rs in t.resourceSpans {
            for ss in rs.scopeSpans {
                for s in ss.spans {
                    out +=
                        "  span trace_id=\(s.traceID) span_id=\(s.spanID) parent_span_id=\(s.parentSpanID.isValid ? s.parentSpanID.description : "")"
                    out +=
                        " name=\(quoted(s.name)) kind=\(s.kind.name) status=\(s.status.code.name) attributes=\(attributes(s.attributes))\n"
                }
            }
        }
    }

    public static func metrics(_ m: Metrics, exporter: String, detailed: Bool, into out: inout String) {
        out +=
            "exporter=\(exporter) signal=metrics resource_metrics=\(m.resourceMetrics.count) metrics=\(m.metricCount) data_points=\(m.dataPointCount)\n"
        guard detailed else { return }
        for rm in m.resourceMetrics {
            for sm in rm.scopeMetrics {
                for metric in sm.metrics {
                    out +=
                        "  metric name=\(quoted(metric.name)) type=\(metric.data.kindName) unit=\(quoted(metric.unit)) data_points=\(metric.data.dataPointCount)\n"
                }
            }
        }
    }

    public static func logs(_ l: Logs, exporter: String, detailed: Bool, into out: inout String) {
        out +=
            "exporter=\(exporter) signal=logs resource_logs=\(l.resourceLogs.count) log_records=\(l.logRecordCount)\n"
        guard detailed else { return }
        for rl in l.resourceLogs {
            for sl in rl.scopeLogs {
                for r in sl.logRecords {
                    out +=
                        "  log severity_number=\(r.severityNumber) severity_text=\(quoted(r.severityText)) body=\(quoted(r.body.displayString))"
                    out += " trace_id=\(r.traceID.isValid ? r.traceID.description : "")\n"
                }
            }
        }
    }

    static func attributes(_ a: Attributes) -> String {
        "{" + a.map { "\($0.key)=\($0.value.displayString)" }.joined(separator: ", ") + "}"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
