public import ComponentKit
public import GatewayCore

/// The `loadbalancing` exporter, `exporters.loadbalancing[/name]`: sends each trace, service or metric stream to
/// one of a set of backends chosen by a consistent-hash ring, each backend an `otlp` exporter with the settings
/// under `protocol.otlp`.
public struct LoadBalancingConfig: ComponentConfig {
    /// What items are routed by (`routing_key`).
    public enum RoutingKey: String, Sendable, CaseIterable {
        /// The trace id: every span of a trace goes to one backend (traces and logs). The default.
        case traceID
        /// `service.name` of the resource (traces and metrics).
        case service
        /// The whole resource (metrics).
        case resource
        /// The metric name (metrics).
        case metric
        /// Resource, scope, metric and data-point attributes: one backend per stream (metrics).
        case streamID
    }

    /// Where the backends come from.
    public enum Resolver: Sendable, Equatable {
        /// `resolver.static.hostnames`: fixed `host[:port]` endpoints (port 4317 when absent).
        case `static`([String])
        /// `resolver.dns`: the A/AAAA records of `hostname`, each at `port`, looked up every `interval` with
        /// `timeout`; `nameserver` (ours) asks that DNS server (`host:port`) instead of the system's resolver.
        case dns(hostname: String, port: Int, interval: Duration, timeout: Duration, nameserver: String?)
    }

    /// `routing_key`: default `traceID`.
    public var routingKey: RoutingKey = .traceID
    public var resolver: Resolver = .static([])
    /// The `otlp` exporter type's factory and, per backend endpoint, its decoded `protocol.otlp` section with that
    /// endpoint: each backend is an `otlp` exporter.
    public var backendFactory: (any ExporterFactory)?
    public var backendConfig: @Sendable (String) -> (any ComponentConfig)? = { _ in nil }

    public init() {}

    public func signalProblem(_ signal: Signal) -> String? {
        switch (signal, routingKey) {
        case (.traces, .traceID), (.traces, .service), (.logs, .traceID): return nil
        case (.metrics, .service), (.metrics, .resource), (.metrics, .metric), (.metrics, .streamID): return nil
        default: return "cannot route \(signal.rawValue) by routing_key \(routingKey.rawValue)"
        }
    }

    static let defaultPort = 4317

    init(from reader: MappingReader, context: DecodingContext) {
        if let text = reader.scalar("routing_key", expected: "a routing key") {
            if let key = RoutingKey(rawValue: text) {
                routingKey = key
            } else {
                reader.report(
                    "routing_key",
                    "unknown routing key \(quoted(text)); expected one of "
                        + RoutingKey.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        decodeProtocol(reader, context: context)
        decodeResolver(reader)
    }

    private mutating func decodeProtocol(_ reader: MappingReader, context: DecodingContext) {
        guard let factory = context.exporterFactories["otlp"] else {
            reader.report("protocol", "this build has no otlp exporter to send with")
            return
        }
        let otlp: ConfigValue =
            reader.section("protocol") { p -> ConfigValue in
                p.value("otlp") ?? .null
            } ?? .null
        // The Collector sets each backend's endpoint itself: one written under protocol.otlp is ignored there; a
        // placeholder lets the otlp decoder check every other key once, at the right path.
        let path = reader.path("protocol").appending("otlp")
        let check = MappingReader(
            otlp.setting("endpoint", to: .scalar("backend:4317")), at: path, diagnostics: reader.diagnostics)
        _ = factory.decode(check, context: context)
        check.finish()
        backendFactory = factory
        backendConfig = { endpoint in
            let diagnostics = Diagnostics()
            let backend = MappingReader(
                otlp.setting("endpoint", to: .scalar(endpoint)), at: path, diagnostics: diagnostics)
            let config = factory.decode(backend, context: context)
            backend.finish()
            return diagnostics.problems.isEmpty ? config : nil
        }
    }

    private mutating func decodeResolver(_ reader: MappingReader) {
        let decoded = reader.section("resolver") { r -> Resolver? in
            var found: [Resolver] = []
            if let hostnames = r.section(
                "static",
                { s -> [String]? in
                    guard let (list, _) = s.stringList("hostnames") else { return nil }
                    for (index, host) in list.enumerated() where Self.endpoint(host) == nil {
                        s.diagnostics.report(
                            s.path("hostnames").appending(index: index),
                            "expected host or host:port, got \(quoted(host))")
                    }
                    if list.isEmpty { s.report("hostnames", "required: at least one backend") }
                    return list.compactMap(Self.endpoint)
                })
            {
                found.append(.static(hostnames ?? []))
            }
            if let dns = r.section(
                "dns",
                { d -> Resolver in
                    let hostname = d.string("hostname", default: "")
                    if hostname.isEmpty { d.report("hostname", "required: the name whose addresses are the backends") }
                    let port = d.int("port", default: Self.defaultPort, min: 1, max: 65535)
                    let interval = d.positiveDuration("interval", default: .seconds(5))
                    let timeout = d.positiveDuration("timeout", default: .seconds(1))
                    let nameserver = d.scalar("nameserver", expected: "host:port")
                    if let nameserver, parseHostPort(nameserver) == nil {
                        d.report("nameserver", "expected host:port of a DNS server, got \(quoted(nameserver))")
                    }
                    return .dns(
                        hostname: hostname, port: port, interval: interval, timeout: timeout, nameserver: nameserver)
                })
            {
                found.append(dns)
            }
            for unsupported in ["k8s", "aws_cloud_map"] where r.contains(unsupported) {
                _ = r.value(unsupported)
                r.report(unsupported, "this resolver is not built; use static or dns (a headless Service's name)")
            }
            if found.count != 1 {
                if found.isEmpty, !r.contains("k8s"), !r.contains("aws_cloud_map") {
                    r.report("one resolver is required: static or dns")
                } else if found.count > 1 {
                    r.report("only one resolver may be set: static or dns")
                }
                return nil
            }
            return found[0]
        }
        switch decoded {
        case let resolver??: self.resolver = resolver
        case .some(nil): break
        case nil: reader.report("resolver", "required: static (hostnames) or dns (hostname)")
        }
    }

    /// `host` or `host:port` as `host:port` (the otlp exporter's form), nil when malformed.
    static func endpoint(_ text: String) -> String? {
        if parseHostPort(text) != nil { return text }
        guard !text.isEmpty, !text.contains(":"), !text.contains("/"), !text.contains(" ") else { return nil }
        return "\(text):\(defaultPort)"
    }
}
