internal import COTLPProto
internal import GatewayCore

enum LogsReader {
    static func read(_ request: Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest)
        throws(OTLPDecodingError) -> Logs
    {
        Logs(
            resourceLogs: try PB.array(request.n_resource_logs, request.resource_logs) {
                (rl) throws(OTLPDecodingError) -> ResourceLogs in
                ResourceLogs(
                    resource: try PB.resource(rl.resource),
                    scopeLogs: try PB.array(rl.n_scope_logs, rl.scope_logs) {
                        (sl) throws(OTLPDecodingError) -> ScopeLogs in
                        ScopeLogs(
                            scope: try PB.scope(sl.scope),
                            logRecords: try PB.array(sl.n_log_records, sl.log_records, record),
                            schemaURL: PB.string(sl.schema_url)
                        )
                    },
                    schemaURL: PB.string(rl.schema_url)
                )
            })
    }

    static func record(_ r: Opentelemetry__Proto__Logs__V1__LogRecord) throws(OTLPDecodingError) -> LogRecord {
        LogRecord(
            timeUnixNano: r.time_unix_nano,
            observedTimeUnixNano: r.observed_time_unix_nano,
            severityNumber: Int32(bitPattern: UInt32(truncatingIfNeeded: r.severity_number.rawValue)),
            severityText: PB.string(r.severity_text),
            body: try PB.anyValue(r.body, depth: 0),
            attributes: try PB.attributes(r.n_attributes, r.attributes),
            droppedAttributesCount: r.dropped_attributes_count,
            flags: r.flags,
            traceID: try PB.traceID(r.trace_id, "log record"),
            spanID: try PB.spanID(r.span_id, "log record"),
            eventName: PB.string(r.event_name)
        )
    }
}
