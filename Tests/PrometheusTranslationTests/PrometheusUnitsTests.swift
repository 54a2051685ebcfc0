import PrometheusTranslation
import Testing

/// Unit suffixes, through the namer.
@Suite struct PrometheusUnitsTests {
    let namer = PrometheusNamer()

    @Test func curlyBraceUnitsAreDropped() {
        #expect(namer.metricName("tokens.generated", unit: "{token}", type: .counter) == "tokens_generated_total")
        #expect(namer.metricName("system.network.dropped", unit: "{packets}", type: .gauge) == "system_network_dropped")
        #expect(namer.metricName("custom_metric", unit: "By/{custom}", type: .gauge) == "custom_metric_bytes")
        #expect(
            namer.metricName("db.scanned_per_returned", unit: "{scanned}/{returned}", type: .gauge)
                == "db_scanned_per_returned")
    }

    @Test func ucumUnitsBecomeWords() {
        #expect(namer.metricName("request.duration", unit: "s", type: .histogram) == "request_duration_seconds")
        #expect(namer.metricName("response_time", unit: "ms", type: .gauge) == "response_time_milliseconds")
        #expect(namer.metricName("latency", unit: "us", type: .gauge) == "latency_microseconds")
        #expect(namer.metricName("precision_time", unit: "ns", type: .gauge) == "precision_time_nanoseconds")
        #expect(namer.metricName("uptime", unit: "d", type: .gauge) == "uptime_days")
        #expect(namer.metricName("duration", unit: "h", type: .gauge) == "duration_hours")
        #expect(namer.metricName("timeout", unit: "min", type: .gauge) == "timeout_minutes")
        #expect(namer.metricName("memory.usage", unit: "By", type: .gauge) == "memory_usage_bytes")
        #expect(namer.metricName("cache_size", unit: "KiBy", type: .gauge) == "cache_size_kibibytes")
        #expect(namer.metricName("memory", unit: "MiBy", type: .gauge) == "memory_mebibytes")
        #expect(namer.metricName("storage", unit: "GiBy", type: .gauge) == "storage_gibibytes")
        #expect(namer.metricName("capacity", unit: "TiBy", type: .gauge) == "capacity_tibibytes")
        #expect(namer.metricName("transfer", unit: "KBy", type: .gauge) == "transfer_kilobytes")
        #expect(namer.metricName("download", unit: "MBy", type: .gauge) == "download_megabytes")
        #expect(namer.metricName("backup", unit: "GBy", type: .gauge) == "backup_gigabytes")
        #expect(namer.metricName("archive", unit: "TBy", type: .gauge) == "archive_terabytes")
        #expect(namer.metricName("distance", unit: "m", type: .gauge) == "distance_meters")
        #expect(namer.metricName("voltage", unit: "V", type: .gauge) == "voltage_volts")
        #expect(namer.metricName("current", unit: "A", type: .gauge) == "current_amperes")
        #expect(namer.metricName("energy", unit: "J", type: .gauge) == "energy_joules")
        #expect(namer.metricName("power", unit: "W", type: .gauge) == "power_watts")
        #expect(namer.metricName("weight", unit: "g", type: .gauge) == "weight_grams")
        #expect(namer.metricName("temperature", unit: "Cel", type: .gauge) == "temperature_celsius")
        #expect(namer.metricName("frequency", unit: "Hz", type: .gauge) == "frequency_hertz")
        #expect(namer.metricName("gpu.utilization", unit: "%", type: .gauge) == "gpu_utilization_percent")
    }

    @Test func perUnitsBecomePerWords() {
        #expect(namer.metricName("speed", unit: "m/s", type: .gauge) == "speed_meters_per_second")
        #expect(namer.metricName("requests", unit: "{req}/s", type: .gauge) == "requests_per_second")
        #expect(namer.metricName("requests", unit: "1/s", type: .gauge) == "requests_per_second")
        #expect(namer.metricName("requests", unit: "1/m", type: .gauge) == "requests_per_minute")
        #expect(namer.metricName("events", unit: "1/h", type: .gauge) == "events_per_hour")
        #expect(namer.metricName("transactions", unit: "1/d", type: .gauge) == "transactions_per_day")
        #expect(namer.metricName("reports", unit: "1/w", type: .gauge) == "reports_per_week")
        #expect(namer.metricName("invoices", unit: "1/mo", type: .gauge) == "invoices_per_month")
        #expect(namer.metricName("renewals", unit: "1/y", type: .gauge) == "renewals_per_year")
        #expect(namer.metricName("throughput", unit: "By/s", type: .gauge) == "throughput_bytes_per_second")
        #expect(namer.metricName("oplog.rate", unit: "GiBy/h", type: .gauge) == "oplog_rate_gibibytes_per_hour")
        #expect(namer.metricName("custom", unit: "1/custom_unit", type: .gauge) == "custom_per_custom_unit")
        #expect(
            namer.metricName("broken.metric.speed", unit: "km/h", type: .gauge) == "broken_metric_speed_km_per_hour")
        #expect(namer.metricName("requests", unit: "1/s", type: .counter) == "requests_per_second_total")
    }

    @Test func unitEdgeCases() {
        #expect(namer.metricName("metric", unit: "By/", type: .gauge) == "metric_bytes")
        #expect(namer.metricName("metric", unit: " By / s ", type: .gauge) == "metric_bytes_per_second")
        #expect(namer.metricName("metric", unit: "/", type: .gauge) == "metric")
        #expect(namer.metricName("test.metric.spaces", unit: "   \t  ", type: .gauge) == "test_metric_spaces")
        #expect(namer.metricName("broken.metric.speed", unit: "km/°", type: .gauge) == "broken_metric_speed_km")
        #expect(namer.metricName("temperature", unit: "%*()°:C", type: .gauge) == "temperature_:C")
        #expect(
            namer.metricName("custom_metric", unit: "unit@with#special/chars", type: .gauge)
                == "custom_metric_unit_with_special_per_chars")
        #expect(
            namer.metricName("system.network.dropped", unit: "nonstandard:_1", type: .gauge)
                == "system_network_dropped_nonstandard:_1")
        #expect(
            namer.metricName("metric__with__multiple__underscores", unit: "unit__multiple__underscores", type: .gauge)
                == "metric_with_multiple_underscores_unit_multiple_underscores")
    }
}
