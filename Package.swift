// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let nioEmbedded = Target.Dependency.product(name: "NIOEmbedded", package: "swift-nio")
let nioTLS = Target.Dependency.product(name: "NIOTLS", package: "swift-nio")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
/// What a component's config tests need: documents parsed with the real component table.
let configTests: [Target.Dependency] = ["ConfigTestSupport", "ComponentKit", "GatewayConfig"]

let package = Package(
    name: "otlp-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "otlp-gateway", targets: ["otlp-gateway"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(name: "CNGHTTP2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "CProtobufC", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        // protoc-c output for proto/, produced by scripts/generate-protos and committed.
        .target(
            name: "COTLPProto",
            dependencies: ["CProtobufC"],
            cSettings: [.unsafeFlags(["-w"])],
            // The module map's `link` only applies to Swift importers; the generated C needs the runtime too.
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),

        // A non-recursive protobuf wire validator over protobuf-c's descriptors: depth, wire types, lengths, UTF-8.
        .target(
            name: "CProtoValidate", dependencies: ["CProtobufC", "COTLPProto"],
            linkerSettings: [.linkedLibrary("protobuf-c")]),

        // POSIX file helpers: whole-file reads (configuration, /proc, credentials, queues, journals) and the
        // open-files limit the listeners size their connection limits from.
        .target(name: "FileIO", swiftSettings: strictSettings),
        // The telemetry model, consumer protocols and pipeline errors: no I/O.
        .target(name: "GatewayCore", swiftSettings: strictSettings),
        // gzip and snappy with explicit output limits.
        .target(
            name: "Compression", dependencies: ["CZlib", "CSnappy", "CZstd", "CLZ4"], swiftSettings: strictSettings),
        // OTLP protobuf and JSON <-> model.
        .target(
            name: "OTLPWire", dependencies: ["GatewayCore", "COTLPProto", "CProtoValidate"],
            swiftSettings: strictSettings),
        // HTTP/2 over nghttp2 on SwiftNIO, and gRPC message framing.
        .target(
            name: "HTTP2Transport", dependencies: ["CNGHTTP2", "GatewayCore", nioCore, nioPosix],
            swiftSettings: strictSettings),
        // Counters and gauges about the gateway itself, rendered as Prometheus text.
        .target(name: "SelfTelemetry", dependencies: [], swiftSettings: strictSettings),
        // What every component is built on, as the Collector's `component` and `config*` packages: the strict
        // YAML mapping reader, component IDs, the settings several components share (TLS, listeners, queues,
        // retries), the factory protocols and the build context. Imports no component.
        .target(
            name: "ComponentKit",
            dependencies: [
                "FileIO", "GatewayCore", "MetricStore", "SelfTelemetry", "ClientTLS", "ServerTLS", logging, nioCore,
            ],
            swiftSettings: strictSettings
        ),
        // The Collector-shaped document: YAML, `${env:...}` expansion, IDs, pipelines, `service`; each component
        // section is decoded by the factory of its type, looked up in the table the assembly passes in.
        .target(
            name: "GatewayConfig",
            dependencies: ["ComponentKit", "FileIO", "GatewayCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),

        // OTLP -> Prometheus names and labels, as Prometheus' own OTLP ingestion produces them.
        .target(name: "PrometheusTranslation", dependencies: ["GatewayCore"], swiftSettings: strictSettings),
        // The current state of every metric series, shared by the Prometheus exporters.
        .target(
            name: "MetricStore",
            dependencies: ["GatewayCore", "PrometheusTranslation", "SelfTelemetry"],
            swiftSettings: strictSettings
        ),
        // A keep-alive HTTP/1.1 client on NIO (remote write, OTLP/HTTP, loadgen).
        .target(
            name: "HTTP1Transport", dependencies: ["FileIO", nioCore, nioPosix, nioHTTP1], swiftSettings: strictSettings
        ),
        // Client TLS for the exporters (NIOSSL): one context per exporter, a handler per connection.
        .target(name: "ClientTLS", dependencies: [nioCore, nioTLS, nioSSL], swiftSettings: strictSettings),
        // Server TLS for the listeners: the same PEM loading and error texts, ALPN per protocol, handshake failures
        // reported and contained.
        .target(
            name: "ServerTLS", dependencies: ["ClientTLS", nioCore, nioTLS, nioSSL], swiftSettings: strictSettings),

        // Components.
        .target(
            name: "OTLPReceiver",
            dependencies: [
                "ComponentKit",
                "GatewayCore", "OTLPWire", "Compression", "HTTP2Transport", "SelfTelemetry",
                nioCore, nioPosix, nioHTTP1, logging,
            ],
            path: "Sources/Receivers/OTLPReceiver",
            swiftSettings: strictSettings
        ),
        // `prometheus`: scrapes Prometheus and OpenMetrics endpoints, with Prometheus' own scrape configuration.
        .target(
            name: "PrometheusReceiver",
            dependencies: [
                "ComponentKit", "FileIO", "GatewayCore", "HTTP1Transport", "ClientTLS", "SelfTelemetry", logging,
                nioCore,
                nioPosix, .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Receivers/PrometheusReceiver",
            swiftSettings: strictSettings
        ),
        // `hostmetrics`: /proc, and GPUs through NVML or AMD SMI loaded with dlopen.
        .target(
            name: "HostMetricsReceiver",
            dependencies: ["ComponentKit", "FileIO", "GatewayCore", "SelfTelemetry", logging],
            path: "Sources/Receivers/HostMetricsReceiver",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BatchProcessor",
            dependencies: ["ComponentKit", "OTLPWire", "FileIO", "GatewayCore", "SelfTelemetry", logging],
            path: "Sources/Processors/BatchProcessor",
            swiftSettings: strictSettings
        ),
        // What the `resource` and `attributes` processors share: the Collector's attribute actions.
        .target(
            name: "AttributeActions", dependencies: ["ComponentKit", "GatewayCore"], swiftSettings: strictSettings),
        .target(
            name: "ResourceProcessor", dependencies: ["AttributeActions", "ComponentKit", "GatewayCore"],
            path: "Sources/Processors/ResourceProcessor", swiftSettings: strictSettings),
        .target(
            name: "AttributesProcessor", dependencies: ["AttributeActions", "ComponentKit", "GatewayCore"],
            path: "Sources/Processors/AttributesProcessor", swiftSettings: strictSettings),
        // OTTL conditions: parsed once, evaluated on spans, span events, metrics, data points and log records.
        .target(name: "OTTL", dependencies: ["GatewayCore"], swiftSettings: strictSettings),
        .target(
            name: "FilterProcessor", dependencies: ["ComponentKit", "GatewayCore", "OTTL", "SelfTelemetry", logging],
            path: "Sources/Processors/FilterProcessor", swiftSettings: strictSettings),
        .target(
            name: "ResourceDetectionProcessor", dependencies: ["ComponentKit", "FileIO", "GatewayCore", logging],
            path: "Sources/Processors/ResourceDetectionProcessor", swiftSettings: strictSettings),
        .target(
            name: "TransformProcessor", dependencies: ["ComponentKit", "GatewayCore", "OTTL"],
            path: "Sources/Processors/TransformProcessor", swiftSettings: strictSettings),
        .target(
            name: "MemoryLimiterProcessor",
            dependencies: ["ComponentKit", "FileIO", "GatewayCore", "SelfTelemetry", logging],
            path: "Sources/Processors/MemoryLimiterProcessor",
            swiftSettings: strictSettings
        ),
        .target(
            name: "DebugExporter",
            dependencies: ["ComponentKit", "GatewayCore", "SelfTelemetry"],
            path: "Sources/Exporters/DebugExporter",
            swiftSettings: strictSettings
        ),

        .target(
            name: "PrometheusRemoteWriteExporter",
            dependencies: [
                "ComponentKit",
                "GatewayCore", "MetricStore", "OTLPWire", "PrometheusTranslation", "Compression", "HTTP1Transport",
                "ClientTLS",
                "SelfTelemetry", nioCore, logging,
            ],
            path: "Sources/Exporters/PrometheusRemoteWriteExporter",
            swiftSettings: strictSettings
        ),
        .target(
            name: "PrometheusExporter",
            dependencies: [
                "ComponentKit",
                "GatewayCore", "MetricStore", "PrometheusTranslation", "HTTP1Transport", "SelfTelemetry", nioCore,
                nioHTTP1, nioPosix, logging,
            ],
            path: "Sources/Exporters/PrometheusExporter",
            swiftSettings: strictSettings
        ),

        // `engine`: the built-in inference engine as a receiver, with no network hop.
        .target(
            name: "EngineReceiver",
            dependencies: ["ComponentKit", "GatewayCore", "InferenceEngine", "EngineTelemetry", logging],
            path: "Sources/Receivers/EngineReceiver",
            swiftSettings: strictSettings
        ),
        // Extensions: started before the pipelines, stopped after them, used by components through the
        // capability protocols of ComponentKit.
        .target(
            name: "HealthCheckExtension",
            dependencies: ["ComponentKit", "HTTP1Transport", nioCore, nioPosix, nioHTTP1, logging],
            path: "Sources/Extensions/HealthCheckExtension",
            swiftSettings: strictSettings
        ),
        .target(
            name: "BasicAuthExtension", dependencies: ["ComponentKit", "FileIO", "GatewayCore"],
            path: "Sources/Extensions/BasicAuthExtension", swiftSettings: strictSettings
        ),
        .target(
            name: "BearerTokenAuthExtension", dependencies: ["ComponentKit", "FileIO"],
            path: "Sources/Extensions/BearerTokenAuthExtension", swiftSettings: strictSettings
        ),
        .target(
            name: "PprofExtension", dependencies: ["ComponentKit", logging], path: "Sources/Extensions/PprofExtension",
            swiftSettings: strictSettings
        ),
        .target(
            name: "HeadersSetterExtension", dependencies: ["ComponentKit", "GatewayCore"],
            path: "Sources/Extensions/HeadersSetterExtension", swiftSettings: strictSettings
        ),
        .target(
            name: "ZPagesExtension",
            dependencies: [
                "ComponentKit", "GatewayCore", "MetricStore", "OTLPWire", "PrometheusTranslation", "SelfTelemetry",
                "HTTP1Transport",
                nioCore, nioPosix, nioHTTP1, logging,
            ],
            path: "Sources/Extensions/ZPagesExtension", swiftSettings: strictSettings
        ),
        .target(
            name: "FileStorageExtension", dependencies: ["ComponentKit", "FileIO"],
            path: "Sources/Extensions/FileStorageExtension", swiftSettings: strictSettings
        ),

        // The assembly: the table of component types, the pipeline graph built from a configuration through
        // their factories, and the gateway as one `Service` that starts and stops it in order.
        .target(
            name: "Gateway",
            dependencies: [
                "ComponentKit", "FileIO", "GatewayCore", "GatewayConfig", "SelfTelemetry", "HTTP1Transport",
                "OTLPReceiver", "EngineReceiver", "HostMetricsReceiver", "PrometheusReceiver",
                "BatchProcessor", "MemoryLimiterProcessor", "ResourceProcessor", "AttributesProcessor",
                "FilterProcessor", "ResourceDetectionProcessor", "TransformProcessor",
                "DebugExporter", "PrometheusRemoteWriteExporter",
                "PrometheusExporter",
                "OTLPExporter",
                "MemoryTraceExporter", "LoadBalancingExporter", "ProbabilisticSamplerProcessor",
                "TailSamplingProcessor",
                "SpanMetricsConnector",
                "HealthCheckExtension", "BasicAuthExtension", "BearerTokenAuthExtension", "FileStorageExtension",
                "PprofExtension", "ZPagesExtension", "HeadersSetterExtension", nioCore, nioPosix, nioHTTP1, logging,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Synthetic OTLP traffic through our own HTTP/2 and HTTP/1.1 clients.
        .target(
            name: "LoadGen",
            dependencies: [
                "GatewayCore", "OTLPWire", "Compression", "HTTP2Transport", "HTTP1Transport", nioCore, nioPosix,
            ],
            swiftSettings: strictSettings
        ),
        // The continuous-batching inference engine: knows nothing of the gateway, speaks swift-metrics,
        // swift-distributed-tracing and swift-log only.
        .target(
            name: "InferenceEngine",
            dependencies: [
                logging,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // `otlp` (gRPC over nghttp2) and `otlphttp` exporters with a sending queue and retries.
        .target(
            name: "OTLPExporter",
            dependencies: [
                "ComponentKit",
                "FileIO",
                "GatewayCore", "OTLPWire", "Compression", "HTTP2Transport", "HTTP1Transport", "ClientTLS",
                "SelfTelemetry",
                nioCore, nioPosix, logging,
            ],
            path: "Sources/Exporters/OTLPExporter",
            swiftSettings: strictSettings
        ),
        // `spanmetrics`: RED metrics from spans, named as Tempo's metrics generator names them.
        .target(
            name: "SpanMetricsConnector",
            dependencies: ["ComponentKit", "GatewayCore", "OTLPWire", "SelfTelemetry", logging],
            path: "Sources/Connectors/SpanMetricsConnector",
            swiftSettings: strictSettings
        ),
        // The most recent traces, bounded by bytes, with a Tempo-compatible query API (`memory` exporter).
        .target(
            name: "MemoryTraceExporter",
            dependencies: [
                "ComponentKit", "GatewayCore", "OTLPWire", "HTTP1Transport", "SelfTelemetry", nioCore, nioHTTP1,
                logging,
            ],
            path: "Sources/Exporters/MemoryTraceExporter",
            swiftSettings: strictSettings
        ),
        .target(
            name: "LoadBalancingExporter",
            dependencies: ["ComponentKit", "GatewayCore", "OTLPWire", "SelfTelemetry", logging],
            path: "Sources/Exporters/LoadBalancingExporter",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ProbabilisticSamplerProcessor",
            dependencies: ["ComponentKit", "GatewayCore", "SelfTelemetry", logging],
            path: "Sources/Processors/ProbabilisticSamplerProcessor",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TailSamplingProcessor",
            dependencies: ["ComponentKit", "GatewayCore", "SelfTelemetry", logging],
            path: "Sources/Processors/TailSamplingProcessor",
            swiftSettings: strictSettings
        ),

        // In-process benchmarks of the hot paths (`otlp-gateway bench`).
        .target(
            name: "Benchmarks",
            dependencies: [
                "PrometheusReceiver",
                "GatewayCore", "OTLPWire", "MetricStore", "PrometheusRemoteWriteExporter", "LoadGen", "Compression",
                "SelfTelemetry",
                "InferenceEngine", "EngineTelemetry",
            ],
            swiftSettings: strictSettings
        ),
        // Fuzz targets for every decoder of untrusted bytes; libFuzzer drives them through `otlp-gateway-fuzz`
        // (scripts/fuzz), the unit tests through the seed corpus.
        .target(
            name: "FuzzHarness",
            dependencies: [
                "Compression", "Gateway", "GatewayConfig", "GatewayCore", "HTTP2Transport", "MemoryTraceExporter",
                "OTLPWire", "OTTL", "PrometheusReceiver",
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "CFuzzEntry"),
        .executableTarget(
            name: "otlp-gateway-fuzz", dependencies: ["FuzzHarness", "CFuzzEntry"], swiftSettings: strictSettings),
        .executableTarget(
            name: "otlp-gateway",
            dependencies: [
                "FileIO",
                "ComponentKit", "Gateway", "GatewayConfig", "GatewayCore", "LoadGen", "Benchmarks", logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // What several test targets need: a recording consumer and a log capture.
        .target(
            name: "TestSupport", dependencies: ["GatewayCore", logging], path: "Tests/TestSupport",
            swiftSettings: strictSettings),
        // Config documents parsed with the real component table, for every component's config tests.
        .target(
            name: "ConfigTestSupport", dependencies: ["ComponentKit", "Gateway", "GatewayConfig"],
            path: "Tests/ConfigTestSupport", swiftSettings: strictSettings),
        .testTarget(name: "GatewayCoreTests", dependencies: ["GatewayCore"], swiftSettings: strictSettings),
        // The shared config sections and the strict reader.
        .testTarget(
            name: "ComponentKitTests", dependencies: configTests + ["OTLPExporter"], swiftSettings: strictSettings),
        // The assembly: stages of the graph's parts and the staged stop.
        .testTarget(
            name: "GatewayTests",
            dependencies: configTests + ["Gateway", "GatewayCore", "SelfTelemetry", "TestSupport", logging],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FuzzHarnessTests",
            dependencies: ["FuzzHarness", "OTLPWire", "GatewayCore", "Compression", "HTTP2Transport"],
            exclude: ["Corpus"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"], swiftSettings: strictSettings),
        .testTarget(name: "OTLPWireTests", dependencies: ["OTLPWire", "GatewayCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "HTTP2TransportTests",
            dependencies: ["HTTP2Transport", "CNGHTTP2", "GatewayCore", nioCore, nioEmbedded],
            swiftSettings: strictSettings
        ),
        // The document: YAML, expansion, IDs, pipelines and `service`, with real components in it.
        .testTarget(
            name: "GatewayConfigTests",
            dependencies: configTests + [
                "GatewayCore", "OTLPReceiver", "BatchProcessor", "DebugExporter", "OTLPExporter", "PrometheusExporter",
                "PrometheusRemoteWriteExporter", "MemoryTraceExporter", "SpanMetricsConnector", "HealthCheckExtension",
                "BasicAuthExtension", "BearerTokenAuthExtension",
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "EngineReceiverTests", dependencies: configTests + ["EngineReceiver"],
            path: "Tests/Receivers/EngineReceiverTests", swiftSettings: strictSettings),
        .testTarget(
            name: "DebugExporterTests", dependencies: configTests + ["DebugExporter"],
            path: "Tests/Exporters/DebugExporterTests", swiftSettings: strictSettings),
        .testTarget(
            name: "BasicAuthExtensionTests",
            dependencies: configTests + ["BasicAuthExtension", "SelfTelemetry", logging],
            path: "Tests/Extensions/BasicAuthExtensionTests", swiftSettings: strictSettings),
        .testTarget(
            name: "BearerTokenAuthExtensionTests",
            dependencies: configTests + ["BearerTokenAuthExtension", "SelfTelemetry", logging],
            path: "Tests/Extensions/BearerTokenAuthExtensionTests", swiftSettings: strictSettings),
        .testTarget(
            name: "FileStorageExtensionTests",
            dependencies: ["ComponentKit", "FileStorageExtension", "SelfTelemetry", logging],
            path: "Tests/Extensions/FileStorageExtensionTests", swiftSettings: strictSettings),
        .testTarget(
            name: "HeadersSetterExtensionTests",
            dependencies: configTests + [
                "HeadersSetterExtension", "GatewayCore", "BatchProcessor", "SelfTelemetry", logging,
            ],
            path: "Tests/Extensions/HeadersSetterExtensionTests", swiftSettings: strictSettings),
        .testTarget(
            name: "ZPagesExtensionTests",
            dependencies: configTests + [
                "ZPagesExtension", "MetricStore", "PrometheusTranslation", "GatewayCore", "SelfTelemetry",
                "MemoryTraceExporter", logging,
            ],
            path: "Tests/Extensions/ZPagesExtensionTests", swiftSettings: strictSettings),
        .testTarget(
            name: "HealthCheckExtensionTests", dependencies: configTests + ["HealthCheckExtension"],
            path: "Tests/Extensions/HealthCheckExtensionTests", swiftSettings: strictSettings),
        // TLS round trips through our HTTP/1.1 and HTTP/2 clients against a NIOSSL server, with certificates made by
        // the openssl command at test time.
        .testTarget(
            name: "ClientTLSTests",
            dependencies: [
                "TestSupport", "ComponentKit",
                "ClientTLS", "ServerTLS", "OTLPReceiver", "HTTP1Transport", "HTTP2Transport", "OTLPExporter",
                "GatewayCore",
                "SelfTelemetry", logging,
                nioCore, nioPosix, nioHTTP1, nioSSL, nioTLS,
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "SelfTelemetryTests", dependencies: ["SelfTelemetry"], swiftSettings: strictSettings),
        .testTarget(
            name: "PrometheusTranslationTests",
            dependencies: ["PrometheusTranslation", "GatewayCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MetricStoreTests",
            dependencies: ["MetricStore", "PrometheusTranslation", "GatewayCore", "SelfTelemetry"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PrometheusRemoteWriteExporterTests",
            dependencies: configTests + [
                "PrometheusRemoteWriteExporter", "MetricStore", "GatewayCore", "Compression", "SelfTelemetry",
                "COTLPProto",
                "HTTP1Transport", "TestSupport", logging, nioCore, nioPosix, nioHTTP1,
            ],
            path: "Tests/Exporters/PrometheusRemoteWriteExporterTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PrometheusExporterTests",
            dependencies: configTests + ["PrometheusExporter", "MetricStore", "PrometheusTranslation"],
            path: "Tests/Exporters/PrometheusExporterTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "InferenceEngineTests",
            dependencies: [
                "InferenceEngine", logging,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MemoryTraceExporterTests",
            dependencies: configTests + ["MemoryTraceExporter", "GatewayCore", "OTLPWire", "SelfTelemetry"],
            path: "Tests/Exporters/MemoryTraceExporterTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LoadBalancingExporterTests",
            dependencies: configTests + [
                "LoadBalancingExporter", "OTLPExporter", "GatewayCore", "OTLPWire", "SelfTelemetry", "TestSupport",
                logging,
            ],
            path: "Tests/Exporters/LoadBalancingExporterTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ProbabilisticSamplerProcessorTests",
            dependencies: configTests + ["ProbabilisticSamplerProcessor", "GatewayCore", "SelfTelemetry"],
            path: "Tests/Processors/ProbabilisticSamplerProcessorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TailSamplingProcessorTests",
            dependencies: configTests + ["TailSamplingProcessor", "GatewayCore", "SelfTelemetry", logging],
            path: "Tests/Processors/TailSamplingProcessorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OTLPExporterTests",
            dependencies: configTests + [
                "OTLPExporter", "GatewayCore", "OTLPWire", "SelfTelemetry", "HTTP1Transport", "HTTP2Transport",
                "TestSupport",
                logging,
            ],
            path: "Tests/Exporters/OTLPExporterTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpanMetricsConnectorTests",
            dependencies: configTests + [
                "SpanMetricsConnector", "GatewayCore", "OTLPWire", "SelfTelemetry", "TestSupport", logging,
            ],
            path: "Tests/Connectors/SpanMetricsConnectorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HostMetricsReceiverTests",
            dependencies: configTests + [
                "TestSupport", "HostMetricsReceiver", "GatewayCore", "SelfTelemetry", logging,
            ],
            path: "Tests/Receivers/HostMetricsReceiverTests",
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BatchProcessorTests",
            dependencies: configTests + ["BatchProcessor", "GatewayCore", "SelfTelemetry", "TestSupport", logging],
            path: "Tests/Processors/BatchProcessorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AttributeActionsTests",
            dependencies: configTests + ["AttributeActions", "AttributesProcessor", "GatewayCore"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ResourceProcessorTests",
            dependencies: configTests + ["ResourceProcessor", "GatewayCore", "OTLPWire", "TestSupport"],
            path: "Tests/Processors/ResourceProcessorTests", swiftSettings: strictSettings),
        .testTarget(
            name: "AttributesProcessorTests",
            dependencies: configTests + ["AttributesProcessor", "GatewayCore", "TestSupport"],
            path: "Tests/Processors/AttributesProcessorTests", swiftSettings: strictSettings),
        .testTarget(name: "OTTLTests", dependencies: ["OTTL", "GatewayCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "FilterProcessorTests",
            dependencies: configTests + ["FilterProcessor", "GatewayCore", "SelfTelemetry", "TestSupport"],
            path: "Tests/Processors/FilterProcessorTests", swiftSettings: strictSettings),
        .testTarget(
            name: "ResourceDetectionProcessorTests",
            dependencies: configTests + ["ResourceDetectionProcessor", "GatewayCore", "TestSupport"],
            path: "Tests/Processors/ResourceDetectionProcessorTests", swiftSettings: strictSettings),
        .testTarget(
            name: "TransformProcessorTests",
            dependencies: configTests + ["TransformProcessor", "OTTL", "GatewayCore", "TestSupport"],
            path: "Tests/Processors/TransformProcessorTests", swiftSettings: strictSettings),
        .testTarget(
            name: "MemoryLimiterProcessorTests",
            dependencies: configTests + [
                "TestSupport", "MemoryLimiterProcessor", "GatewayCore", "SelfTelemetry", logging,
            ],
            path: "Tests/Processors/MemoryLimiterProcessorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PrometheusReceiverTests",
            dependencies: configTests + ["PrometheusReceiver", "GatewayCore", "SelfTelemetry", logging],
            path: "Tests/Receivers/PrometheusReceiverTests", swiftSettings: strictSettings),
        .testTarget(
            name: "OTLPReceiverTests",
            dependencies: configTests + [
                "OTLPReceiver", "GatewayCore", "HTTP2Transport", "SelfTelemetry", nioCore, nioEmbedded, nioHTTP1,
            ],
            path: "Tests/Receivers/OTLPReceiverTests",
            swiftSettings: strictSettings
        ),
        .target(
            name: "EngineTelemetry",
            dependencies: [
                "GatewayCore", logging,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngineTelemetryTests",
            dependencies: [
                "TestSupport",
                "EngineTelemetry", "GatewayCore", "InferenceEngine", logging,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
