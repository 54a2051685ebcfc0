public import ComponentKit

/// The `otlp` receiver: OTLP over gRPC and/or HTTP, `receivers.otlp[/name]`.
public struct OTLPReceiverConfig: Sendable, Equatable {
    /// `protocols.grpc`: the gRPC server, nil when the key is absent. `grpc:` with no value enables it with
    /// the defaults. At least one of `grpc` and `http` must be enabled.
    public var grpc: GRPCServerConfig?
    /// `protocols.http`: the HTTP server, nil when the key is absent. `http:` with no value enables it with
    /// the defaults. At least one of `grpc` and `http` must be enabled.
    public var http: HTTPServerConfig?

    public init(grpc: GRPCServerConfig? = nil, http: HTTPServerConfig? = nil) {
        self.grpc = grpc
        self.http = http
    }
}

extension OTLPReceiverConfig: ConfigSection {
    public init(from reader: MappingReader) {
        self.init(from: reader, context: DecodingContext())
    }

    /// `context` tells whether the extensions named in `auth.authenticator` exist.
    init(from reader: MappingReader, context: DecodingContext) {
        let protocols = reader.section("protocols") { protocols in
            let grpc = protocols.section("grpc") { GRPCServerConfig(from: $0, context: context) }
            let http = protocols.section("http") { HTTPServerConfig(from: $0, context: context) }
            if let grpc, let http, Self.conflict(grpc.endpoint, http.endpoint) {
                protocols.report(
                    "http.endpoint", "\(quoted(http.endpoint)) conflicts with grpc endpoint \(quoted(grpc.endpoint))")
            }
            return (grpc: grpc, http: http)
        }
        self.init(grpc: protocols?.grpc, http: protocols?.http)
        if grpc == nil, http == nil {
            reader.report("protocols", "must enable at least one of grpc, http")
        }
    }

    /// Two listeners on one port conflict when the hosts are equal or either is a wildcard; port 0 is
    /// ephemeral and never conflicts.
    private static func conflict(_ first: String, _ second: String) -> Bool {
        guard let a = parseHostPort(first), let b = parseHostPort(second), a.port == b.port, a.port != 0 else {
            return false
        }
        let wildcards: Set<String> = ["0.0.0.0", "::"]
        return a.host == b.host || wildcards.contains(a.host) || wildcards.contains(b.host)
    }
}
