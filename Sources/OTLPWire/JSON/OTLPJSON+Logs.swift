import GatewayCore

extension OTLPJSON {
    /// `SeverityNumber` names by value.
    static let severityNumberNames: [StaticString] = [
        "SEVERITY_NUMBER_UNSPECIFIED",
        "SEVERITY_NUMBER_TRACE", "SEVERITY_NUMBER_TRACE2", "SEVERITY_NUMBER_TRACE3", "SEVERITY_NUMBER_TRACE4",
        "SEVERITY_NUMBER_DEBUG", "SEVERITY_NUMBER_DEBUG2", "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
        "SEVERITY_NUMBER_INFO", "SEVERITY_NUMBER_INFO2", "SEVERITY_NUMBER_INFO3", "SEVERITY_NUMBER_INFO4",
        "SEVERITY_NUMBER_WARN", "SEVERITY_NUMBER_WARN2", "SEVERITY_NUMBER_WARN3", "SEVERITY_NUMBER_WARN4",
        "SEVERITY_NUMBER_ERROR", "SEVERITY_NUMBER_ERROR2", "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
        "SEVERITY_NUMBER_FATAL", "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3", "SEVERITY_NUMBER_FATAL4",
    ]

    // MARK: Reading

    static func readLogs(_ r: inout JSONReader) throws(JSONFailure) -> Logs {
        var logs = Logs()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("resourceLogs", "resource_logs") {
                logs.resourceLogs = try r.array(readResourceLogs)
            } else {
                try r.skipUnknownValue()
            }
        }
        return logs
    }

    static func readResourceLogs(_ r: inout JSONReader) throws(JSONFailure) -> ResourceLogs {
        var resourceLogs = ResourceLogs()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("scopeLogs", "scope_logs") {
                resourceLogs.scopeLogs = try r.array(readScopeLogs)
            } else if r.key("resource") {
                resourceLogs.resource = try r.nested(readResource)
            } else if r.key("schemaUrl", "schema_url") {
                resourceLogs.schemaURL = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return resourceLogs
    }

    static func readScopeLogs(_ r: inout JSONReader) throws(JSONFailure) -> ScopeLogs {
        var scopeLogs = ScopeLogs()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("logRecords", "log_records") {
                scopeLogs.logRecords = try r.array(readLogRecord)
            } else if r.key("scope") {
                scopeLogs.scope = try r.nested(readScope)
            } else if r.key("schemaUrl", "schema_url") {
                scopeLogs.schemaURL = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return scopeLogs
    }

    static func readLogRecord(_ r: inout JSONReader) throws(JSONFailure) -> LogRecord {
        var record = LogRecord()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                record.timeUnixNano = try r.readUInt64()
            } else if r.key("observedTimeUnixNano", "observed_time_unix_nano") {
                record.observedTimeUnixNano = try r.readUInt64()
            } else if r.key("severityNumber", "severity_number") {
                record.severityNumber = try r.readEnum(severityNumberNames)
            } else if r.key("severityText", "severity_text") {
                record.severityText = try r.readString()
            } else if r.key("body") {
                record.body = try r.nested(readAnyValue)
            } else if r.key("attributes") {
                record.attributes = try readAttributes(&r)
            } else if r.key("traceId", "trace_id") {
                record.traceID = try r.readTraceID()
            } else if r.key("spanId", "span_id") {
                record.spanID = try r.readSpanID()
            } else if r.key("flags") {
                record.flags = try r.readUInt32()
            } else if r.key("droppedAttributesCount", "dropped_attributes_count") {
                record.droppedAttributesCount = try r.readUInt32()
            } else if r.key("eventName", "event_name") {
                record.eventName = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return record
    }

    // MARK: Writing

    static func writeLogs(_ w: inout JSONWriter, _ logs: Logs) {
        w.beginObject()
        if !logs.resourceLogs.isEmpty {
            w.key("resourceLogs")
            w.beginArray()
            for resourceLogs in logs.resourceLogs {
                w.beginObject()
                writeResource(&w, resourceLogs.resource)
                w.key("scopeLogs")
                w.beginArray()
                for scopeLogs in resourceLogs.scopeLogs {
                    w.beginObject()
                    writeScope(&w, scopeLogs.scope)
                    w.key("logRecords")
                    w.beginArray()
                    for record in scopeLogs.logRecords { writeLogRecord(&w, record) }
                    w.endArray()
                    writeString(&w, "schemaUrl", scopeLogs.schemaURL)
                    w.endObject()
                }
                w.endArray()
                writeString(&w, "schemaUrl", resourceLogs.schemaURL)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }

    static func writeLogRecord(_ w: inout JSONWriter, _ record: LogRecord) {
        w.beginObject()
        writeUInt64(&w, "timeUnixNano", record.timeUnixNano)
        writeUInt64(&w, "observedTimeUnixNano", record.observedTimeUnixNano)
        writeInt32(&w, "severityNumber", record.severityNumber)
        writeString(&w, "severityText", record.severityText)
        if record.body != .empty {
            w.key("body")
            writeAnyValue(&w, record.body)
        }
        writeAttributes(&w, "attributes", record.attributes)
        writeUInt32(&w, "droppedAttributesCount", record.droppedAttributesCount)
        writeUInt32(&w, "flags", record.flags)
        writeTraceID(&w, "traceId", record.traceID)
        writeSpanID(&w, "spanId", record.spanID)
        writeString(&w, "eventName", record.eventName)
        w.endObject()
    }
}
