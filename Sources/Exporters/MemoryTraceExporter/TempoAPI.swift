public import ComponentKit
import GatewayCore
internal import OTLPWire

/// The read side of Tempo's HTTP API over a `RecentTraceStore`, as a pure function of the request so it is tested
/// without sockets. Every response is JSON except `/ready`, `/api/echo` and the 404 page.
///
/// - `GET /api/traces/{id}`: the trace as an OTLP/JSON `ExportTraceServiceRequest` (`{"resourceSpans":[...]}`;
///   Tempo's own v1 JSON calls the list `batches`). With `Accept: application/protobuf` (what Grafana asks for)
///   it is the OTLP protobuf request instead, which is byte-for-byte Tempo's `tempopb.Trace`.
/// - `GET /api/v2/traces/{id}`: `{"trace":{"resourceSpans":[...]}}`, whatever `Accept` says.
///   An id is 1 to 32 hex digits of either case, left-padded with zeros as Tempo does (so a 16-digit short id
///   works); anything else, or all zeros, is 400. An id not stored is 404 `{"error":"trace not found"}`.
/// - `GET /api/search`: Tempo's search parameters `tags` (logfmt; `service.name` and `name` are the service and
///   span-name filters), `minDuration`/`maxDuration` (Go durations), `limit` (default 20, at most 1000),
///   `start`/`end` (unix seconds, filtering on trace start), `q` (TraceQL), plus our `service` and `spanName`.
///   Bad parameters are 400 `{"error":"invalid <parameter>: <why>"}`.
/// - TraceQL in `q` (see `TraceQL` for the subset): a single spanset adds `spanSet`/`spanSets` with the
///   matching spans (at most `spss`, default 3) to each result, as Tempo does.
/// - `GET /api/search/tags`, `/api/v2/search/tags` (`scope`), `/api/search/tag/{tag}/values` and
///   `/api/v2/search/tag/{tag}/values`: attribute keys and values of the stored spans, for Grafana's autocomplete.
/// - `GET /api/status/buildinfo`: the Tempo version whose API this answers like.
/// - `GET /ready` ("ready") and `GET /api/echo` ("echo"), as Tempo answers them.
///
/// Known paths answer 405 to methods other than GET and HEAD; other paths are 404.
public struct TempoAPI: Sendable {
    /// A response; the server adds `Content-Length` and leaves the body out for HEAD. The same type the live page
    /// gets through `TraceStoreView`, so no conversion sits between them.
    public typealias Response = InspectionResponse

    public let store: RecentTraceStore

    public init(store: RecentTraceStore) { self.store = store }

    /// Answers a request whose target may carry a query (`/api/search?limit=5`).
    public func handle(method: String, target: String, accept: String? = nil) -> Response {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return handle(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", accept: accept)
    }

    /// Answers a request; `query` is the raw query string without `?`, `accept` the `Accept` header if any.
    public func handle(method: String, path: String, query: String, accept: String? = nil) -> Response {
        enum Route {
            case ready, echo, search, buildInfo
            case tags(v2: Bool)
            case tagValues(tag: Substring, v2: Bool)
            case trace(id: Substring, v2: Bool)
        }
        let route: Route
        switch path {
        case "/ready": route = .ready
        case "/api/echo": route = .echo
        case "/api/search": route = .search
        case "/api/status/buildinfo": route = .buildInfo
        case "/api/search/tags": route = .tags(v2: false)
        case "/api/v2/search/tags": route = .tags(v2: true)
        default:
            if let id = Self.suffix(of: path, after: "/api/traces/") {
                route = .trace(id: id, v2: false)
            } else if let id = Self.suffix(of: path, after: "/api/v2/traces/") {
                route = .trace(id: id, v2: true)
            } else if let tag = Self.tag(of: path, after: "/api/search/tag/") {
                route = .tagValues(tag: tag, v2: false)
            } else if let tag = Self.tag(of: path, after: "/api/v2/search/tag/") {
                route = .tagValues(tag: tag, v2: true)
            } else {
                return Self.notFound
            }
        }
        guard method == "GET" || method == "HEAD" else {
            return Response(status: 405, contentType: Self.json, body: TempoJSON.error("method \(method) not allowed"))
        }
        switch route {
        case .ready: return Response(status: 200, contentType: Self.text, body: Array("ready".utf8))
        case .echo: return Response(status: 200, contentType: Self.text, body: Array("echo".utf8))
        case .search: return search(query: query)
        case .trace(let id, let v2): return trace(id: id, v2: v2, accept: accept)
        case .buildInfo: return Self.buildInfo
        case .tags(let v2): return tags(v2: v2, query: query)
        case .tagValues(let tag, let v2):
            guard let decoded = URLQuery.decode(tag), !decoded.isEmpty else {
                return Self.badRequest("tag", "malformed percent-encoding")
            }
            let values = store.tagValues(decoded)
            return Response(
                status: 200, contentType: Self.json,
                body: v2 ? TempoJSON.typedValues(values) : TempoJSON.stringList("tagValues", values.map(\.value)))
        }
    }

    /// Tempo's `buildinfo`: the Tempo API version these endpoints answer like (Grafana's Tempo data source
    /// chooses its requests by it), with this gateway named in `revision`.
    static let buildInfo = Response(
        status: 200, contentType: json,
        body: Array(
            (#"{"version":"2.6.0","revision":"otlp-gateway memory exporter","branch":"","buildUser":"","#
                + #""buildDate":"","goVersion":""}"#).utf8))

    /// `/api/search/tags` (`{"tagNames":[...]}`) and `/api/v2/search/tags` (`{"scopes":[...]}`, narrowed by
    /// `scope=resource|span|intrinsic`).
    private func tags(v2: Bool, query: String) -> Response {
        let (resource, span) = store.tagNames()
        guard v2 else {
            return Response(
                status: 200, contentType: Self.json,
                body: TempoJSON.stringList("tagNames", Array(Set(resource + span)).sorted()))
        }
        let scope = (try? URLQuery(query))?["scope"] ?? ""
        var scopes: [(name: String, tags: [String])] = []
        if scope.isEmpty || scope == "all" || scope == "resource" { scopes.append(("resource", resource)) }
        if scope.isEmpty || scope == "all" || scope == "span" { scopes.append(("span", span)) }
        if scope.isEmpty || scope == "all" || scope == "intrinsic" {
            scopes.append(("intrinsic", RecentTraceStore.intrinsicTags))
        }
        return Response(status: 200, contentType: Self.json, body: TempoJSON.scopes(scopes))
    }

    /// The tag in `<prefix><tag>/values`.
    private static func tag(of path: String, after prefix: String) -> Substring? {
        guard path.hasPrefix(prefix), path.hasSuffix("/values") else { return nil }
        let tag = path.dropFirst(prefix.count).dropLast("/values".count)
        return tag.isEmpty || tag.contains("/") ? nil : tag
    }

    static let json = "application/json"
    static let text = "text/plain; charset=utf-8"
    static let protobuf = "application/protobuf"
    static let notFound = Response(status: 404, contentType: text, body: Array("404 page not found\n".utf8))

    /// The path segment after `prefix`, if the path is `prefix` + one non-empty segment.
    private static func suffix(of path: String, after prefix: String) -> Substring? {
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        return rest.isEmpty || rest.contains("/") ? nil : rest
    }

    private func trace(id text: Substring, v2: Bool, accept: String?) -> Response {
        guard let id = Self.parseTraceID(text) else {
            return Self.badRequest("traceID", "must be 1 to 32 hex digits, not all zero")
        }
        guard let traces = store.trace(id: id) else {
            return Response(status: 404, contentType: Self.json, body: TempoJSON.error("trace not found"))
        }
        if !v2, let accept, accept.contains(Self.protobuf) {
            return Response(status: 200, contentType: Self.protobuf, body: OTLPProtobuf.encode(traces))
        }
        let document = OTLPJSON.encodeTraces(traces)
        return Response(status: 200, contentType: Self.json, body: v2 ? TempoJSON.wrapTrace(document) : document)
    }

    /// Tempo's `HexStringToTraceID`: 1 to 32 hex digits, left-padded with zeros; nil otherwise or when all zero.
    static func parseTraceID(_ text: some StringProtocol) -> TraceID? {
        guard (1...32).contains(text.utf8.count) else { return nil }
        let padded = String(repeating: "0", count: 32 - text.utf8.count) + text
        guard let bytes = Hex.decode(padded), let id = TraceID(bytes: bytes), id.isValid else { return nil }
        return id
    }

    private func search(query: String) -> Response {
        do throws(SearchParameterError) {
            let parsed = try Self.parseSearch(query)
            return Response(status: 200, contentType: Self.json, body: TempoJSON.search(store.search(parsed)))
        } catch {
            return Self.badRequest(error.parameter, error.reason)
        }
    }

    private static func badRequest(_ parameter: String, _ reason: String) -> Response {
        Response(status: 400, contentType: json, body: TempoJSON.error("invalid \(parameter): \(reason)"))
    }
}
