internal import COTLPProto
internal import GatewayCore

enum MetricsReader {
    static func read(_ request: Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest)
        throws(OTLPDecodingError) -> Metrics
    {
        Metrics(
            resourceMetrics: try PB.array(request.n_resource_metrics, request.resource_metrics) {
                (rm) throws(OTLPDecodingError) -> ResourceMetrics in
                ResourceMetrics(
                    resource: try PB.resource(rm.resource),
                    scopeMetrics: try PB.array(rm.n_scope_metrics, rm.scope_metrics) {
                        (sm) throws(OTLPDecodingError) -> ScopeMetrics in
                        ScopeMetrics(
                            scope: try PB.scope(sm.scope),
                            metrics: try PB.array(sm.n_metrics, sm.metrics, metric),
                            schemaURL: PB.string(sm.schema_url)
                        )
                    },
                    schemaURL: PB.string(rm.schema_url)
                )
            })
    }

    static func temporality(_ raw: UInt32) -> AggregationTemporality {
        AggregationTemporality(rawValue: Int32(bitPattern: raw)) ?? .unspecified
    }

    static func metric(_ m: Opentelemetry__Proto__Metrics__V1__Metric) throws(OTLPDecodingError) -> Metric {
        let data: MetricData
        switch m.data_case {
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_GAUGE:
            guard let g = m.gauge?.pointee else { data = .gauge([]); break }
            data = .gauge(try PB.array(g.n_data_points, g.data_points, numberPoint))
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM:
            guard let s = m.sum?.pointee else { data = .empty; break }
            data = .sum(
                Sum(
                    dataPoints: try PB.array(s.n_data_points, s.data_points, numberPoint),
                    temporality: temporality(UInt32(truncatingIfNeeded: s.aggregation_temporality.rawValue)),
                    isMonotonic: s.is_monotonic != 0
                ))
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM:
            guard let h = m.histogram?.pointee else { data = .empty; break }
            data = .histogram(
                Histogram(
                    dataPoints: try PB.array(h.n_data_points, h.data_points, histogramPoint),
                    temporality: temporality(UInt32(truncatingIfNeeded: h.aggregation_temporality.rawValue))
                ))
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_EXPONENTIAL_HISTOGRAM:
            guard let h = m.exponential_histogram?.pointee else { data = .empty; break }
            data = .exponentialHistogram(
                ExponentialHistogram(
                    dataPoints: try PB.array(h.n_data_points, h.data_points, exponentialPoint),
                    temporality: temporality(UInt32(truncatingIfNeeded: h.aggregation_temporality.rawValue))
                ))
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUMMARY:
            guard let s = m.summary?.pointee else { data = .summary([]); break }
            data = .summary(try PB.array(s.n_data_points, s.data_points, summaryPoint))
        default:
            data = .empty
        }
        return Metric(
            name: PB.string(m.name),
            description: PB.string(m.description),
            unit: PB.string(m.unit),
            data: data,
            metadata: try PB.attributes(m.n_metadata, m.metadata)
        )
    }

    static func exemplars(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<PBExemplar>?>?)
        throws(OTLPDecodingError) -> [Exemplar]
    {
        try PB.array(n, p) { (e) throws(OTLPDecodingError) -> Exemplar in
            Exemplar(
                filteredAttributes: try PB.attributes(e.n_filtered_attributes, e.filtered_attributes),
                timeUnixNano: e.time_unix_nano,
                value: e.value_case == OPENTELEMETRY__PROTO__METRICS__V1__EXEMPLAR__VALUE_AS_INT
                    ? .int(e.as_int) : .double(e.as_double),
                spanID: try PB.spanID(e.span_id, "exemplar"),
                traceID: try PB.traceID(e.trace_id, "exemplar")
            )
        }
    }

    static func numberPoint(_ p: PBNumberDataPoint) throws(OTLPDecodingError) -> NumberDataPoint {
        NumberDataPoint(
            attributes: try PB.attributes(p.n_attributes, p.attributes),
            startTimeUnixNano: p.start_time_unix_nano,
            timeUnixNano: p.time_unix_nano,
            value: p.value_case == OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_INT
                ? .int(p.as_int) : .double(p.as_double),
            exemplars: try exemplars(p.n_exemplars, p.exemplars),
            flags: DataPointFlags(rawValue: p.flags)
        )
    }

    static func histogramPoint(_ p: Opentelemetry__Proto__Metrics__V1__HistogramDataPoint) throws(OTLPDecodingError)
        -> HistogramDataPoint
    {
        let buckets = PB.scalars(p.n_bucket_counts, p.bucket_counts)
        let bounds = PB.scalars(p.n_explicit_bounds, p.explicit_bounds)
        // The data model requires one more bucket than bounds; anything else cannot be converted safely later.
        if !buckets.isEmpty, buckets.count != bounds.count + 1 {
            throw OTLPDecodingError(
                "histogram data point: \(buckets.count) bucket counts for \(bounds.count) explicit bounds (expected bounds + 1)"
            )
        }
        return HistogramDataPoint(
            attributes: try PB.attributes(p.n_attributes, p.attributes),
            startTimeUnixNano: p.start_time_unix_nano,
            timeUnixNano: p.time_unix_nano,
            count: p.count,
            sum: p._sum_case == OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___SUM_SUM ? p.sum : nil,
            bucketCounts: buckets,
            explicitBounds: bounds,
            exemplars: try exemplars(p.n_exemplars, p.exemplars),
            flags: DataPointFlags(rawValue: p.flags),
            min: p._min_case == OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___MIN_MIN ? p.min : nil,
            max: p._max_case == OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___MAX_MAX ? p.max : nil
        )
    }

    static func buckets(
        _ b: UnsafeMutablePointer<Opentelemetry__Proto__Metrics__V1__ExponentialHistogramDataPoint__Buckets>?
    ) -> ExponentialHistogramDataPoint.Buckets {
        guard let b = b?.pointee else { return .init() }
        return .init(offset: b.offset, bucketCounts: PB.scalars(b.n_bucket_counts, b.bucket_counts))
    }

    static func exponentialPoint(_ p: Opentelemetry__Proto__Metrics__V1__ExponentialHistogramDataPoint)
        throws(OTLPDecodingError) -> ExponentialHistogramDataPoint
    {
        ExponentialHistogramDataPoint(
            attributes: try PB.attributes(p.n_attributes, p.attributes),
            startTimeUnixNano: p.start_time_unix_nano,
            timeUnixNano: p.time_unix_nano,
            count: p.count,
            sum: p._sum_case == OPENTELEMETRY__PROTO__METRICS__V1__EXPONENTIAL_HISTOGRAM_DATA_POINT___SUM_SUM
                ? p.sum : nil,
            scale: p.scale,
            zeroCount: p.zero_count,
            positive: buckets(p.positive),
            negative: buckets(p.negative),
            flags: DataPointFlags(rawValue: p.flags),
            exemplars: try exemplars(p.n_exemplars, p.exemplars),
            min: p._min_case == OPENTELEMETRY__PROTO__METRICS__V1__EXPONENTIAL_HISTOGRAM_DATA_POINT___MIN_MIN
                ? p.min : nil,
            max: p._max_case == OPENTELEMETRY__PROTO__METRICS__V1__EXPONENTIAL_HISTOGRAM_DATA_POINT___MAX_MAX
                ? p.max : nil,
            zeroThreshold: p.zero_threshold
        )
    }

    static func summaryPoint(_ p: Opentelemetry__Proto__Metrics__V1__SummaryDataPoint) throws(OTLPDecodingError)
        -> SummaryDataPoint
    {
        SummaryDataPoint(
            attributes: try PB.attributes(p.n_attributes, p.attributes),
            startTimeUnixNano: p.start_time_unix_nano,
            timeUnixNano: p.time_unix_nano,
            count: p.count,
            sum: p.sum,
            quantileValues: try PB.array(p.n_quantile_values, p.quantile_values) {
                (q) throws(OTLPDecodingError) -> SummaryDataPoint.ValueAtQuantile in
                .init(quantile: q.quantile, value: q.value)
            },
            flags: DataPointFlags(rawValue: p.flags)
        )
    }
}
