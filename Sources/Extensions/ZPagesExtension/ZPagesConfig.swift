public import ComponentKit

/// The `zpages` extension, a live page of the gateway itself: `extensions.zpages[/name]`. The Collector's name
/// and default port, so Collector configs that carry `zpages: {endpoint: ...}` get this page.
public struct ZPagesConfig: ComponentConfig, Equatable {
    /// `endpoint`: the listen address, `host:port`. Default `127.0.0.1:55679` (loopback: the page shows span
    /// attributes and label values, which may be sensitive).
    public var endpoint: String
    /// `tls`: serve over https only (`cert_file`, `key_file`, `client_ca_file`, versions). Default nil.
    public var tls: ServerTLSConfig?
    /// `auth.authenticator`: a `basicauth` or `bearertokenauth` extension every request must satisfy (401
    /// otherwise). Default nil.
    public var authenticator: ComponentID?
    /// `sample_interval` (ours): how often the page's history is sampled from the metric stores and
    /// self-metrics. Default 2s, at least 100ms.
    public var sampleInterval: Duration
    /// `history` (ours): how far back the engine charts reach. Default 5m, at most 1h.
    public var history: Duration
    /// `expvar.enabled` (the Collector's, for Go's expvar): accepted, nothing is served for it.
    public var expvarEnabled: Bool

    public init(
        endpoint: String = "127.0.0.1:55679", tls: ServerTLSConfig? = nil, authenticator: ComponentID? = nil,
        sampleInterval: Duration = .seconds(2), history: Duration = .seconds(300), expvarEnabled: Bool = false
    ) {
        self.endpoint = endpoint
        self.tls = tls
        self.authenticator = authenticator
        self.sampleInterval = sampleInterval
        self.history = history
        self.expvarEnabled = expvarEnabled
    }

    init(from reader: MappingReader, context: DecodingContext) {
        let d = ZPagesConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: d.endpoint),
            tls: reader.section("tls", as: ServerTLSConfig.self))
        authenticator = reader.authenticator(context: context, capability: .serverAuth)
        sampleInterval = reader.duration("sample_interval", default: d.sampleInterval)
        if sampleInterval < .milliseconds(100) {
            reader.report("sample_interval", "must be at least 100ms")
            sampleInterval = d.sampleInterval
        }
        history = reader.duration("history", default: d.history)
        if history < sampleInterval * 2 || history > .seconds(3600) {
            reader.report("history", "must be between two sample intervals and 1h")
            history = d.history
        }
        expvarEnabled = reader.section("expvar") { $0.bool("enabled", default: false) } ?? false
    }
}
