public import ComponentKit
internal import GatewayCore
internal import HTTP2Transport
internal import NIOCore
internal import NIOPosix

extension OTLPReceiverConfig: ListenerConfig {
    public var maxConnections: [Int] { [grpc?.maxConnections, http?.maxConnections].compactMap { $0 } }
}

/// `otlp`: OTLP over gRPC and over HTTP, each on its own listener.
public struct OTLPReceiverFactory: ReceiverFactory {
    public init() {}

    public var types: [String] { ["otlp"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        OTLPReceiverConfig(from: reader, context: context)
    }

    public func build(_ config: any ComponentConfig, _ context: ReceiverContext) throws {
        guard let otlp = config as? OTLPReceiverConfig else { throw ComponentBuildError("not an otlp config") }
        let id = context.base.id
        let consumers = OTLPConsumers(
            traces: context.traces, metrics: context.metrics, logs: context.logs, admission: context.admission)
        var grpc: OTLPReceiver.GRPCSettings?
        var http: OTLPReceiver.HTTPSettings?
        if let g = otlp.grpc {
            let path = "receivers.\(id).protocols.grpc"
            guard let (host, port) = parseHostPort(g.endpoint) else {
                throw ComponentBuildError("\(path).endpoint: invalid")
            }
            grpc = .init(
                host: host, port: port, maxRecvMessageSize: g.maxRecvMsgSizeMiB << 20,
                maxConcurrentStreams: g.maxConcurrentStreams,
                tls: try ListenerSecurityWiring.tls(
                    g.tls, path: path, applicationProtocols: ListenerSecurityWiring.grpcProtocols),
                authenticator: try Self.authenticator(g.authenticator, path: path, context))
            grpc?.maxConnections = context.connectionShare(g.maxConnections)
            grpc?.maxHeaderListSize = g.maxHeaderListSize
            grpc?.includeMetadata = g.includeMetadata
            grpc?.limits.handshakeTimeout = g.handshakeTimeout.map(TimeAmount.init)
            grpc?.limits.maxConnectionIdle = g.maxConnectionIdle.map(TimeAmount.init)
            grpc?.limits.maxConnectionAge = g.maxConnectionAge.map(TimeAmount.init)
            grpc?.limits.maxConnectionAgeGrace = g.maxConnectionAgeGrace.map(TimeAmount.init)
            grpc?.limits.streamStallTimeout = g.streamIdleTimeout.map(TimeAmount.init)
        }
        if let h = otlp.http {
            let path = "receivers.\(id).protocols.http"
            guard let (host, port) = parseHostPort(h.endpoint) else {
                throw ComponentBuildError("\(path).endpoint: invalid")
            }
            http = .init(
                host: host, port: port, maxRequestBodySize: h.maxRequestBodySize, tracesPath: h.tracesURLPath,
                metricsPath: h.metricsURLPath, logsPath: h.logsURLPath,
                tls: try ListenerSecurityWiring.tls(
                    h.tls, path: path, applicationProtocols: ListenerSecurityWiring.http1Protocols),
                authenticator: try Self.authenticator(h.authenticator, path: path, context))
            http?.maxConnections = context.connectionShare(h.maxConnections)
            http?.maxHeaderListSize = h.maxHeaderListSize
            http?.includeMetadata = h.includeMetadata
            http?.timeouts.readHeader = h.readHeaderTimeout.map(TimeAmount.init)
            http?.timeouts.idle = h.idleTimeout.map(TimeAmount.init)
            http?.timeouts.write = h.writeTimeout.map(TimeAmount.init)
        }
        let receiver = OTLPReceiver(
            name: id.description, grpc: grpc, http: http, consumers: consumers, registry: context.base.registry,
            logger: context.base.logger)
        context.base.addListener(OTLPListener(receiver: receiver))
    }
}

extension OTLPReceiverFactory {
    /// The credentials the server authenticator extension `id` accepts, nil without `auth`.
    static func authenticator(_ id: ComponentID?, path: String, _ context: ReceiverContext) throws
        -> RequestAuthenticator?
    {
        guard let id else { return nil }
        return try context.base.extensionAs(id, (any ServerAuthenticator).self, key: "\(path).auth.authenticator")
            .requestAuthenticator()
    }
}

/// The receiver's two listeners on the shared event loops.
struct OTLPListener: Listener {
    let receiver: OTLPReceiver

    func start() async throws { try await receiver.start(group: MultiThreadedEventLoopGroup.singleton) }

    func shutdown() async { await receiver.shutdown() }
}
