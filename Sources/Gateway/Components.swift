internal import AttributesProcessor
internal import BasicAuthExtension
internal import BatchProcessor
internal import BearerTokenAuthExtension
public import ComponentKit
internal import DebugExporter
internal import EngineReceiver
internal import FileStorageExtension
internal import FilterProcessor
internal import HeadersSetterExtension
internal import HealthCheckExtension
internal import HostMetricsReceiver
internal import LoadBalancingExporter
internal import MemoryLimiterProcessor
internal import MemoryTraceExporter
internal import OTLPExporter
internal import OTLPReceiver
internal import PprofExtension
internal import ProbabilisticSamplerProcessor
internal import PrometheusExporter
internal import PrometheusReceiver
internal import PrometheusRemoteWriteExporter
internal import ResourceDetectionProcessor
internal import ResourceProcessor
internal import SpanMetricsConnector
internal import TailSamplingProcessor
internal import TransformProcessor
internal import ZPagesExtension

/// Every component type this gateway is built with: the only place that names them. The config decoder looks a
/// section's type up here, the graph builder its factory.
public enum Components {
    public static let table = ComponentTable(
        receivers: [
            OTLPReceiverFactory(), EngineReceiverFactory(), HostMetricsReceiverFactory(), PrometheusReceiverFactory(),
        ],
        processors: [
            BatchProcessorFactory(), MemoryLimiterProcessorFactory(), ResourceProcessorFactory(),
            AttributesProcessorFactory(), FilterProcessorFactory(), ResourceDetectionProcessorFactory(),
            TransformProcessorFactory(), ProbabilisticSamplerProcessorFactory(),
            TailSamplingProcessorFactory(),
        ],
        exporters: [
            DebugExporterFactory(), OTLPExporterFactory(), OTLPHTTPExporterFactory(), PrometheusExporterFactory(),
            PrometheusRemoteWriteExporterFactory(), MemoryTraceExporterFactory(),
            LoadBalancingExporterFactory(),
        ],
        connectors: [SpanMetricsConnectorFactory()],
        extensions: [
            HealthCheckExtensionFactory(), BasicAuthExtensionFactory(), BearerTokenAuthExtensionFactory(),
            FileStorageExtensionFactory(), PprofExtensionFactory(), ZPagesExtensionFactory(),
            HeadersSetterExtensionFactory(),
        ])
}
