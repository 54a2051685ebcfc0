internal import ClientTLS
public import ComponentKit
internal import Compression
public import GatewayCore
internal import Logging

extension OTLPExporterConfig: PersistentConfig {
    public var storageExtension: ComponentID? { sendingQueue.enabled ? sendingQueue.storage : nil }
}

extension OTLPHTTPExporterConfig: PersistentConfig {
    public var storageExtension: ComponentID? { sendingQueue.enabled ? sendingQueue.storage : nil }

    public func signalProblem(_ signal: Signal) -> String? {
        guard url(for: signal) == nil else { return nil }
        // Without any URL the exporter's own section has a problem already.
        guard Signal.allCases.contains(where: { url(for: $0) != nil }) else { return nil }
        return "has no URL for \(signal.rawValue); set endpoint or \(signal.rawValue)_endpoint"
    }
}

/// A `loadbalancing` backend that leaves the ring hands what it holds to the keys' new owners.
extension OTLPExporter: QueueHandover {}

/// `otlp` (also written `otlp_grpc`, the Collector's name since v0.144): OTLP over gRPC.
public struct OTLPExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["otlp", "otlp_grpc"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        OTLPExporterConfig(from: reader, context: context)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let c = config as? OTLPExporterConfig else { throw ComponentBuildError("not an otlp config") }
        let id = context.id
        var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var setter: (any RequestHeadersSetter)?
        if let auth = c.authenticator {
            let resolved = try ExporterAuthWiring.resolve(auth, context, key: "exporters.\(id).auth.authenticator")
            if let authorization = resolved.authorization { headers.append(("authorization", authorization)) }
            setter = resolved.setter
        }
        let tls = try ClientTLSWiring.make(
            id, c.tls, enabled: c.usesTLS, applicationProtocols: ClientTLSWiring.grpcProtocols, logger: context.logger)
        return try OTLPExporterSettings.start(
            Data.self, transport: .grpc(host: c.host, port: c.port), headers: headers, compression: c.compression,
            timeout: c.timeout, queue: c.sendingQueue, retry: c.retryOnFailure, tls: tls, setter: setter, context)
    }
}

/// `otlphttp` (also written `otlp_http`, the Collector's name since v0.144): OTLP over HTTP, protobuf or JSON.
public struct OTLPHTTPExporterFactory: ExporterFactory {
    public init() {}

    public var types: [String] { ["otlphttp", "otlp_http"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        OTLPHTTPExporterConfig(from: reader, context: context)
    }

    public func build<Data: TelemetryData>(
        _ config: any ComponentConfig, as signal: Data.Type, _ context: BuildContext
    ) throws -> any Consumer<Data> {
        guard let c = config as? OTLPHTTPExporterConfig else { throw ComponentBuildError("not an otlphttp config") }
        let id = context.id
        guard let url = c.url(for: Data.signal) else {
            throw ComponentBuildError("exporters.\(id): no endpoint for \(Data.signal.rawValue)")
        }
        var headers = c.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var setter: (any RequestHeadersSetter)?
        if let auth = c.authenticator {
            let resolved = try ExporterAuthWiring.resolve(auth, context, key: "exporters.\(id).auth.authenticator")
            if let authorization = resolved.authorization { headers.append(("Authorization", authorization)) }
            setter = resolved.setter
        }
        let tls = try ClientTLSWiring.make(
            id, c.tls, enabled: url.scheme == "https", applicationProtocols: ClientTLSWiring.http1Protocols,
            logger: context.logger)
        return try OTLPExporterSettings.start(
            Data.self, transport: .http(host: url.host, port: url.port, path: url.path, json: c.encoding == .json),
            headers: headers, compression: c.compression, timeout: c.timeout, queue: c.sendingQueue,
            retry: c.retryOnFailure, tls: tls, setter: setter, context)
    }
}

/// From the shared config sections to the exporter's settings.
enum OTLPExporterSettings {
    static func bodyEncoding(_ compression: ExporterCompression) -> BodyEncoding? {
        switch compression {
        case .gzip: return .gzip
        case .zstd: return .zstd
        case .snappy: return .snappy
        case .deflate, .zlib: return .deflate
        case .lz4: return .lz4
        case .none: return nil
        }
    }

    /// The exporter of `Data` over `transport`, with its sender added as a part that drains on a stop.
    static func start<Data: TelemetryData>(
        _: Data.Type, transport: OTLPExporter<Data>.Transport, headers: [(String, String)],
        compression: ExporterCompression,
        timeout: Duration, queue: SendingQueueConfig, retry: RetryOnFailureConfig, tls: ClientTLS?,
        setter: (any RequestHeadersSetter)? = nil, _ context: BuildContext
    ) throws -> OTLPExporter<Data> {
        let id = context.id
        let persistent = try persistentQueue(queue, context, signal: Data.signal)
        if let setter, setter.usesMetadata, persistent != nil {
            throw ComponentBuildError(
                "exporters.\(id).auth.authenticator: headers taken from request metadata cannot be kept in a persistent "
                    + "sending queue (its files hold the body only); remove sending_queue.storage or from_context")
        }
        var settings = OTLPExporter<Data>.Settings(
            transport: transport, headers: headers, gzip: compression == .gzip, timeout: timeout,
            queueLimits: queueLimits(queue), numConsumers: queue.enabled ? queue.numConsumers : 1,
            retry: retryPolicy(retry), tls: tls, persistentQueue: persistent, compression: bodyEncoding(compression))
        if let setter { settings.headersSetter = { setter.apply(to: &$0, metadata: $1) } }
        let exporter = OTLPExporter<Data>(
            name: id.description, settings: settings, registry: context.registry, logger: context.logger)
        context.addPart(.exporters, "exporters.\(id) (\(Data.signal.rawValue))", drain: { exporter.drain() }) {
            await exporter.run()
        }
        return exporter
    }

    /// The `Authorization` value of the client authenticator extension `id`.
    static func authorization(_ id: ComponentID, _ context: BuildContext) throws -> String {
        try context.extensionAs(id, (any ClientAuthenticator).self, key: "exporters.\(context.id).auth.authenticator")
            .authorizationHeader()
    }

    /// The in-memory queue's bounds: `queue_size` in the sizer's unit, and `max_bytes` of encoded requests when the
    /// sizer counts requests or items. Without a queue (`enabled: false`) one request at a time.
    static func queueLimits(_ q: SendingQueueConfig) -> QueueLimits {
        guard q.enabled else {
            return QueueLimits(sizer: .requests, size: 1, byteCeiling: q.maxBytes > 0 ? q.maxBytes : nil)
        }
        let sizer = QueueLimits.Sizer(rawValue: q.sizer.rawValue) ?? .bytes
        return QueueLimits(sizer: sizer, size: q.queueSize, byteCeiling: q.maxBytes > 0 ? q.maxBytes : nil)
    }

    static func retryPolicy(_ r: RetryOnFailureConfig) -> RetryPolicy {
        RetryPolicy(
            enabled: r.enabled, initialInterval: r.initialInterval, maxInterval: r.maxInterval,
            maxElapsed: r.maxElapsedTime, multiplier: r.multiplier)
    }

    /// The on-disk queue of an exporter whose `sending_queue.storage` names a `file_storage` extension: one
    /// directory per exporter and signal under the extension's directory, so exporters never share files.
    static func persistentQueue(_ queue: SendingQueueConfig, _ context: BuildContext, signal: Signal) throws
        -> FileQueue?
    {
        guard queue.enabled, let storageID = queue.storage else { return nil }
        let id = context.id
        let storage = try context.extensionAs(
            storageID, (any StorageExtension).self, key: "exporters.\(id).sending_queue.storage")
        let directory = try storage.directory(for: "\(id.description)-\(signal.rawValue)")
        do {
            return try FileQueue(
                directory: directory,
                limits: QueueLimits(
                    sizer: QueueLimits.Sizer(rawValue: queue.sizer.rawValue) ?? .requests, size: queue.queueSize),
                fsync: storage.fsync,
                create: true)
        } catch {
            throw ComponentBuildError("extensions.\(storageID).directory: \(error)")
        }
    }
}
