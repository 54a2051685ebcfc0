import GatewayCore

extension OTLPJSON {
    static let temporalityNames: [StaticString] = [
        "AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA", "AGGREGATION_TEMPORALITY_CUMULATIVE",
    ]

    // MARK: Reading

    static func readMetrics(_ r: inout JSONReader) throws(JSONFailure) -> Metrics {
        var metrics = Metrics()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("resourceMetrics", "resource_metrics") {
                metrics.resourceMetrics = try r.array(readResourceMetrics)
            } else {
                try r.skipUnknownValue()
            }
        }
        return metrics
    }

    static func readResourceMetrics(_ r: inout JSONReader) throws(JSONFailure) -> ResourceMetrics {
        var resourceMetrics = ResourceMetrics()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("scopeMetrics", "scope_metrics") {
                resourceMetrics.scopeMetrics = try r.array(readScopeMetrics)
            } else if r.key("resource") {
                resourceMetrics.resource = try r.nested(readResource)
            } else if r.key("schemaUrl", "schema_url") {
                resourceMetrics.schemaURL = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return resourceMetrics
    }

    static func readScopeMetrics(_ r: inout JSONReader) throws(JSONFailure) -> ScopeMetrics {
        var scopeMetrics = ScopeMetrics()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("metrics") {
                scopeMetrics.metrics = try r.array(readMetric)
            } else if r.key("scope") {
                scopeMetrics.scope = try r.nested(readScope)
            } else if r.key("schemaUrl", "schema_url") {
                scopeMetrics.schemaURL = try r.readString()
            } else {
                try r.skipUnknownValue()
            }
        }
        return scopeMetrics
    }

    static func readMetric(_ r: inout JSONReader) throws(JSONFailure) -> Metric {
        var metric = Metric(name: "", data: .empty)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("name") {
                metric.name = try r.readString()
            } else if r.key("gauge") {
                metric.data = .gauge(
                    try r.nested { (r) throws(JSONFailure) in try readDataPointsOnly(&r, readNumberPoint) })
            } else if r.key("sum") {
                metric.data = .sum(try r.nested(readSum))
            } else if r.key("histogram") {
                let (points, temporality) = try r.nested { (r) throws(JSONFailure) in
                    try readAggregation(&r, readHistogramPoint)
                }
                metric.data = .histogram(Histogram(dataPoints: points, temporality: temporality))
            } else if r.key("exponentialHistogram", "exponential_histogram") {
                let (points, temporality) = try r.nested { (r) throws(JSONFailure) in
                    try readAggregation(&r, readExponentialPoint)
                }
                metric.data = .exponentialHistogram(ExponentialHistogram(dataPoints: points, temporality: temporality))
            } else if r.key("summary") {
                metric.data = .summary(
                    try r.nested { (r) throws(JSONFailure) in try readDataPointsOnly(&r, readSummaryPoint) })
            } else if r.key("description") {
                metric.description = try r.readString()
            } else if r.key("unit") {
                metric.unit = try r.readString()
            } else if r.key("metadata") {
                metric.metadata = try readAttributes(&r)
            } else {
                try r.skipUnknownValue()
            }
        }
        return metric
    }

    /// Gauge and Summary: `{"dataPoints":[...]}`.
    static func readDataPointsOnly<P>(
        _ r: inout JSONReader,
        _ readPoint: (inout JSONReader) throws(JSONFailure) -> P
    ) throws(JSONFailure) -> [P] {
        var points: [P] = []
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("dataPoints", "data_points") { points = try r.array(readPoint) } else { try r.skipUnknownValue() }
        }
        return points
    }

    /// Histogram and ExponentialHistogram: `{"dataPoints":[...],"aggregationTemporality":n}`.
    static func readAggregation<P>(
        _ r: inout JSONReader,
        _ readPoint: (inout JSONReader) throws(JSONFailure) -> P
    ) throws(JSONFailure) -> ([P], AggregationTemporality) {
        var points: [P] = []
        var temporality = AggregationTemporality.unspecified
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("dataPoints", "data_points") {
                points = try r.array(readPoint)
            } else if r.key("aggregationTemporality", "aggregation_temporality") {
                temporality = try readTemporality(&r)
            } else {
                try r.skipUnknownValue()
            }
        }
        return (points, temporality)
    }

    static func readSum(_ r: inout JSONReader) throws(JSONFailure) -> Sum {
        var sum = Sum(dataPoints: [], temporality: .unspecified, isMonotonic: false)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("dataPoints", "data_points") {
                sum.dataPoints = try r.array(readNumberPoint)
            } else if r.key("aggregationTemporality", "aggregation_temporality") {
                sum.temporality = try readTemporality(&r)
            } else if r.key("isMonotonic", "is_monotonic") {
                sum.isMonotonic = try r.readBool()
            } else {
                try r.skipUnknownValue()
            }
        }
        return sum
    }

    /// Values the model does not know read as unspecified, as in the protobuf decoder.
    static func readTemporality(_ r: inout JSONReader) throws(JSONFailure) -> AggregationTemporality {
        AggregationTemporality(rawValue: try r.readEnum(temporalityNames)) ?? .unspecified
    }

    static func readNumberPoint(_ r: inout JSONReader) throws(JSONFailure) -> NumberDataPoint {
        // A point with neither value reads as 0.0, as in the protobuf decoder.
        var point = NumberDataPoint(timeUnixNano: 0, value: .double(0))
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                point.timeUnixNano = try r.readUInt64()
            } else if r.key("asDouble", "as_double") {
                point.value = .double(try r.readDouble())
            } else if r.key("asInt", "as_int") {
                point.value = .int(try r.readInt64())
            } else if r.key("startTimeUnixNano", "start_time_unix_nano") {
                point.startTimeUnixNano = try r.readUInt64()
            } else if r.key("attributes") {
                point.attributes = try readAttributes(&r)
            } else if r.key("exemplars") {
                point.exemplars = try r.array(readExemplar)
            } else if r.key("flags") {
                point.flags = DataPointFlags(rawValue: try r.readUInt32())
            } else {
                try r.skipUnknownValue()
            }
        }
        return point
    }

    static func readExemplar(_ r: inout JSONReader) throws(JSONFailure) -> Exemplar {
        var exemplar = Exemplar(timeUnixNano: 0, value: .double(0))
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                exemplar.timeUnixNano = try r.readUInt64()
            } else if r.key("asDouble", "as_double") {
                exemplar.value = .double(try r.readDouble())
            } else if r.key("asInt", "as_int") {
                exemplar.value = .int(try r.readInt64())
            } else if r.key("spanId", "span_id") {
                exemplar.spanID = try r.readSpanID()
            } else if r.key("traceId", "trace_id") {
                exemplar.traceID = try r.readTraceID()
            } else if r.key("filteredAttributes", "filtered_attributes") {
                exemplar.filteredAttributes = try readAttributes(&r)
            } else {
                try r.skipUnknownValue()
            }
        }
        return exemplar
    }

    static func readUInt64Array(_ r: inout JSONReader) throws(JSONFailure) -> [UInt64] {
        try r.array { (r) throws(JSONFailure) in try r.readUInt64() }
    }

    static func readDoubleArray(_ r: inout JSONReader) throws(JSONFailure) -> [Double] {
        try r.array { (r) throws(JSONFailure) in try r.readDouble() }
    }

    static func readHistogramPoint(_ r: inout JSONReader) throws(JSONFailure) -> HistogramDataPoint {
        var point = HistogramDataPoint(timeUnixNano: 0, count: 0)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                point.timeUnixNano = try r.readUInt64()
            } else if r.key("count") {
                point.count = try r.readUInt64()
            } else if r.key("sum") {
                point.sum = try r.readOptionalDouble()
            } else if r.key("bucketCounts", "bucket_counts") {
                point.bucketCounts = try readUInt64Array(&r)
            } else if r.key("explicitBounds", "explicit_bounds") {
                point.explicitBounds = try readDoubleArray(&r)
            } else if r.key("startTimeUnixNano", "start_time_unix_nano") {
                point.startTimeUnixNano = try r.readUInt64()
            } else if r.key("attributes") {
                point.attributes = try readAttributes(&r)
            } else if r.key("min") {
                point.min = try r.readOptionalDouble()
            } else if r.key("max") {
                point.max = try r.readOptionalDouble()
            } else if r.key("exemplars") {
                point.exemplars = try r.array(readExemplar)
            } else if r.key("flags") {
                point.flags = DataPointFlags(rawValue: try r.readUInt32())
            } else {
                try r.skipUnknownValue()
            }
        }
        // The same rule as the protobuf decoder: later conversions rely on one more bucket than bounds.
        if !point.bucketCounts.isEmpty, point.bucketCounts.count != point.explicitBounds.count + 1 {
            throw JSONFailure(
                "\(point.bucketCounts.count) bucket counts for \(point.explicitBounds.count) explicit bounds "
                    + "(expected bounds + 1)",
                key: nil
            )
        }
        return point
    }

    static func readExponentialPoint(_ r: inout JSONReader) throws(JSONFailure) -> ExponentialHistogramDataPoint {
        var point = ExponentialHistogramDataPoint(timeUnixNano: 0, count: 0, scale: 0)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                point.timeUnixNano = try r.readUInt64()
            } else if r.key("count") {
                point.count = try r.readUInt64()
            } else if r.key("sum") {
                point.sum = try r.readOptionalDouble()
            } else if r.key("scale") {
                point.scale = try r.readInt32()
            } else if r.key("zeroCount", "zero_count") {
                point.zeroCount = try r.readUInt64()
            } else if r.key("positive") {
                point.positive = try r.nested(readBuckets)
            } else if r.key("negative") {
                point.negative = try r.nested(readBuckets)
            } else if r.key("startTimeUnixNano", "start_time_unix_nano") {
                point.startTimeUnixNano = try r.readUInt64()
            } else if r.key("attributes") {
                point.attributes = try readAttributes(&r)
            } else if r.key("min") {
                point.min = try r.readOptionalDouble()
            } else if r.key("max") {
                point.max = try r.readOptionalDouble()
            } else if r.key("zeroThreshold", "zero_threshold") {
                point.zeroThreshold = try r.readDouble()
            } else if r.key("exemplars") {
                point.exemplars = try r.array(readExemplar)
            } else if r.key("flags") {
                point.flags = DataPointFlags(rawValue: try r.readUInt32())
            } else {
                try r.skipUnknownValue()
            }
        }
        return point
    }

    static func readBuckets(_ r: inout JSONReader) throws(JSONFailure) -> ExponentialHistogramDataPoint.Buckets {
        var buckets = ExponentialHistogramDataPoint.Buckets()
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("offset") {
                buckets.offset = try r.readInt32()
            } else if r.key("bucketCounts", "bucket_counts") {
                buckets.bucketCounts = try readUInt64Array(&r)
            } else {
                try r.skipUnknownValue()
            }
        }
        return buckets
    }

    static func readSummaryPoint(_ r: inout JSONReader) throws(JSONFailure) -> SummaryDataPoint {
        var point = SummaryDataPoint(timeUnixNano: 0, count: 0, sum: 0)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("timeUnixNano", "time_unix_nano") {
                point.timeUnixNano = try r.readUInt64()
            } else if r.key("count") {
                point.count = try r.readUInt64()
            } else if r.key("sum") {
                point.sum = try r.readDouble()
            } else if r.key("quantileValues", "quantile_values") {
                point.quantileValues = try r.array(readQuantile)
            } else if r.key("startTimeUnixNano", "start_time_unix_nano") {
                point.startTimeUnixNano = try r.readUInt64()
            } else if r.key("attributes") {
                point.attributes = try readAttributes(&r)
            } else if r.key("flags") {
                point.flags = DataPointFlags(rawValue: try r.readUInt32())
            } else {
                try r.skipUnknownValue()
            }
        }
        return point
    }

    static func readQuantile(_ r: inout JSONReader) throws(JSONFailure) -> SummaryDataPoint.ValueAtQuantile {
        var quantile = SummaryDataPoint.ValueAtQuantile(quantile: 0, value: 0)
        var object = try r.beginObject()
        while try r.nextKey(&object) {
            if r.key("quantile") {
                quantile.quantile = try r.readDouble()
            } else if r.key("value") {
                quantile.value = try r.readDouble()
            } else {
                try r.skipUnknownValue()
            }
        }
        return quantile
    }

    // MARK: Writing

    static func writeMetrics(_ w: inout JSONWriter, _ metrics: Metrics) {
        w.beginObject()
        if !metrics.resourceMetrics.isEmpty {
            w.key("resourceMetrics")
            w.beginArray()
            for resourceMetrics in metrics.resourceMetrics {
                w.beginObject()
                writeResource(&w, resourceMetrics.resource)
                w.key("scopeMetrics")
                w.beginArray()
                for scopeMetrics in resourceMetrics.scopeMetrics {
                    w.beginObject()
                    writeScope(&w, scopeMetrics.scope)
                    w.key("metrics")
                    w.beginArray()
                    for metric in scopeMetrics.metrics { writeMetric(&w, metric) }
                    w.endArray()
                    writeString(&w, "schemaUrl", scopeMetrics.schemaURL)
                    w.endObject()
                }
                w.endArray()
                writeString(&w, "schemaUrl", resourceMetrics.schemaURL)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }

    static func writeMetric(_ w: inout JSONWriter, _ metric: Metric) {
        w.beginObject()
        w.key("name")
        w.string(metric.name)
        writeString(&w, "description", metric.description)
        writeString(&w, "unit", metric.unit)
        switch metric.data {
        case .empty:
            break
        case .gauge(let points):
            w.key("gauge")
            w.beginObject()
            writePoints(&w, points, writeNumberPoint)
            w.endObject()
        case .sum(let sum):
            w.key("sum")
            w.beginObject()
            writePoints(&w, sum.dataPoints, writeNumberPoint)
            writeInt32(&w, "aggregationTemporality", sum.temporality.rawValue)
            if sum.isMonotonic {
                w.key("isMonotonic")
                w.bool(true)
            }
            w.endObject()
        case .histogram(let histogram):
            w.key("histogram")
            w.beginObject()
            writePoints(&w, histogram.dataPoints, writeHistogramPoint)
            writeInt32(&w, "aggregationTemporality", histogram.temporality.rawValue)
            w.endObject()
        case .exponentialHistogram(let histogram):
            w.key("exponentialHistogram")
            w.beginObject()
            writePoints(&w, histogram.dataPoints, writeExponentialPoint)
            writeInt32(&w, "aggregationTemporality", histogram.temporality.rawValue)
            w.endObject()
        case .summary(let points):
            w.key("summary")
            w.beginObject()
            writePoints(&w, points, writeSummaryPoint)
            w.endObject()
        }
        writeAttributes(&w, "metadata", metric.metadata)
        w.endObject()
    }

    static func writePoints<P>(_ w: inout JSONWriter, _ points: [P], _ write: (inout JSONWriter, P) -> Void) {
        guard !points.isEmpty else { return }
        w.key("dataPoints")
        w.beginArray()
        for point in points { write(&w, point) }
        w.endArray()
    }

    /// The start of every kind of point: attributes and the two times.
    static func writePointHeader(_ w: inout JSONWriter, _ attributes: Attributes, _ start: UInt64, _ time: UInt64) {
        writeAttributes(&w, "attributes", attributes)
        writeUInt64(&w, "startTimeUnixNano", start)
        w.key("timeUnixNano")
        w.quoted(time)
    }

    static func writeNumberValue(_ w: inout JSONWriter, _ value: NumberValue) {
        // Written even when zero: which of the two is set is information.
        switch value {
        case .int(let i):
            w.key("asInt")
            w.quoted(i)
        case .double(let d):
            w.key("asDouble")
            w.double(d)
        }
    }

    static func writeNumberPoint(_ w: inout JSONWriter, _ point: NumberDataPoint) {
        w.beginObject()
        writePointHeader(&w, point.attributes, point.startTimeUnixNano, point.timeUnixNano)
        writeNumberValue(&w, point.value)
        writeExemplars(&w, point.exemplars)
        writeUInt32(&w, "flags", point.flags.rawValue)
        w.endObject()
    }

    static func writeExemplars(_ w: inout JSONWriter, _ exemplars: [Exemplar]) {
        guard !exemplars.isEmpty else { return }
        w.key("exemplars")
        w.beginArray()
        for exemplar in exemplars {
            w.beginObject()
            writeAttributes(&w, "filteredAttributes", exemplar.filteredAttributes)
            writeUInt64(&w, "timeUnixNano", exemplar.timeUnixNano)
            writeNumberValue(&w, exemplar.value)
            writeSpanID(&w, "spanId", exemplar.spanID)
            writeTraceID(&w, "traceId", exemplar.traceID)
            w.endObject()
        }
        w.endArray()
    }

    static func writeOptionalDouble(_ w: inout JSONWriter, _ name: StaticString, _ value: Double?) {
        guard let value else { return }
        w.key(name)
        w.double(value)
    }

    static func writeUInt64Array(_ w: inout JSONWriter, _ name: StaticString, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        w.key(name)
        w.beginArray()
        for value in values { w.quoted(value) }
        w.endArray()
    }

    static func writeHistogramPoint(_ w: inout JSONWriter, _ point: HistogramDataPoint) {
        w.beginObject()
        writePointHeader(&w, point.attributes, point.startTimeUnixNano, point.timeUnixNano)
        w.key("count")
        w.quoted(point.count)
        writeOptionalDouble(&w, "sum", point.sum)
        writeUInt64Array(&w, "bucketCounts", point.bucketCounts)
        if !point.explicitBounds.isEmpty {
            w.key("explicitBounds")
            w.beginArray()
            for bound in point.explicitBounds { w.double(bound) }
            w.endArray()
        }
        writeExemplars(&w, point.exemplars)
        writeUInt32(&w, "flags", point.flags.rawValue)
        writeOptionalDouble(&w, "min", point.min)
        writeOptionalDouble(&w, "max", point.max)
        w.endObject()
    }

    static func writeExponentialPoint(_ w: inout JSONWriter, _ point: ExponentialHistogramDataPoint) {
        w.beginObject()
        writePointHeader(&w, point.attributes, point.startTimeUnixNano, point.timeUnixNano)
        w.key("count")
        w.quoted(point.count)
        writeOptionalDouble(&w, "sum", point.sum)
        w.key("scale")
        w.number(Int64(point.scale))
        writeUInt64(&w, "zeroCount", point.zeroCount)
        writeBuckets(&w, "positive", point.positive)
        writeBuckets(&w, "negative", point.negative)
        writeUInt32(&w, "flags", point.flags.rawValue)
        writeExemplars(&w, point.exemplars)
        writeOptionalDouble(&w, "min", point.min)
        writeOptionalDouble(&w, "max", point.max)
        if point.zeroThreshold != 0 {
            w.key("zeroThreshold")
            w.double(point.zeroThreshold)
        }
        w.endObject()
    }

    static func writeBuckets(
        _ w: inout JSONWriter, _ name: StaticString, _ buckets: ExponentialHistogramDataPoint.Buckets
    ) {
        guard buckets.offset != 0 || !buckets.bucketCounts.isEmpty else { return }
        w.key(name)
        w.beginObject()
        writeInt32(&w, "offset", buckets.offset)
        writeUInt64Array(&w, "bucketCounts", buckets.bucketCounts)
        w.endObject()
    }

    static func writeSummaryPoint(_ w: inout JSONWriter, _ point: SummaryDataPoint) {
        w.beginObject()
        writePointHeader(&w, point.attributes, point.startTimeUnixNano, point.timeUnixNano)
        w.key("count")
        w.quoted(point.count)
        w.key("sum")
        w.double(point.sum)
        if !point.quantileValues.isEmpty {
            w.key("quantileValues")
            w.beginArray()
            for quantile in point.quantileValues {
                w.beginObject()
                w.key("quantile")
                w.double(quantile.quantile)
                w.key("value")
                w.double(quantile.value)
                w.endObject()
            }
            w.endArray()
        }
        writeUInt32(&w, "flags", point.flags.rawValue)
        w.endObject()
    }
}
