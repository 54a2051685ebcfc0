import GatewayCore

/// A search parameter that could not be used, named for the 400 answer.
struct SearchParameterError: Error, Hashable {
    var parameter: String
    var reason: String
}

extension TempoAPI {
    /// The `TraceQuery` for a search query string; see `TempoAPI` for the parameters. Unknown parameters (Tempo's
    /// `spss`, Grafana's extras) are ignored.
    static func parseSearch(_ text: String) throws(SearchParameterError) -> TraceQuery {
        let query: URLQuery
        do throws(URLQuery.DecodingError) {
            query = try URLQuery(text)
        } catch {
            throw SearchParameterError(parameter: error.name, reason: "malformed percent-encoding")
        }
        var result = TraceQuery()
        if let q = query["q"] {
            do throws(TraceQL.ParseError) {
                let parsed = try TraceQL.parse(String(q))
                _ = try TraceQLMatcher(parsed)
                // `{}` alone filters nothing: the other parameters decide.
                if parsed != .spanset(nil) { result.traceQL = parsed }
            } catch {
                throw SearchParameterError(parameter: "q", reason: error.description)
            }
        }
        if let text = query["spss"], !text.isEmpty {
            guard let spss = Int(text), spss > 0 else {
                throw SearchParameterError(parameter: "spss", reason: "must be a positive integer")
            }
            result.spansPerSpanSet = Swift.min(spss, 1000)
        }
        if let tags = query["tags"], !tags.isEmpty {
            guard let pairs = Logfmt.parse(tags) else {
                throw SearchParameterError(parameter: "tags", reason: "not logfmt (key=value key2=\"value 2\")")
            }
            for (key, value) in pairs where result.tags[key] == nil {
                result.tags[key] = value
            }
            // Grafana's search form writes the service and span name as these two tags.
            if let service = result.tags.removeValue(forKey: "service.name") { result.service = service }
            if let name = result.tags.removeValue(forKey: "name") { result.spanName = name }
        }
        if let service = query["service"], !service.isEmpty {
            if let fromTags = result.service, fromTags != service { result.tags["service.name"] = fromTags }
            result.service = service
        }
        if let spanName = query["spanName"], !spanName.isEmpty {
            if let fromTags = result.spanName, fromTags != spanName { result.tags["name"] = fromTags }
            result.spanName = spanName
        }
        result.minDuration = try duration(query, "minDuration")
        result.maxDuration = try duration(query, "maxDuration")
        if let min = result.minDuration, let max = result.maxDuration, max < min {
            throw SearchParameterError(parameter: "maxDuration", reason: "must not be less than minDuration")
        }
        if let text = query["limit"], !text.isEmpty {
            guard let limit = Int(text), limit > 0 else {
                throw SearchParameterError(parameter: "limit", reason: "must be a positive integer")
            }
            result.limit = Swift.min(limit, TraceQuery.maxLimit)
        }
        result.start = try seconds(query, "start")
        result.end = try seconds(query, "end")
        if let start = result.start, let end = result.end, end < start {
            throw SearchParameterError(parameter: "end", reason: "must not be before start")
        }
        return result
    }

    private static func duration(_ query: URLQuery, _ name: String) throws(SearchParameterError) -> Duration? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let duration = parseGoDuration(String(text)) else {
            throw SearchParameterError(parameter: name, reason: "not a duration like 100ms, 1.5s or 2m")
        }
        guard duration >= .zero else { throw SearchParameterError(parameter: name, reason: "must not be negative") }
        return duration
    }

    private static func seconds(_ query: URLQuery, _ name: String) throws(SearchParameterError) -> UInt64? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let seconds = UInt64(text) else {
            throw SearchParameterError(parameter: name, reason: "must be unix seconds")
        }
        return seconds
    }
}
