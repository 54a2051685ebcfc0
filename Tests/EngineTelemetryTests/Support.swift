import GatewayCore
import Synchronization

@testable import EngineTelemetry

extension Metrics {
    /// Every metric named `name`, across resources and scopes.
    func metrics(named name: String) -> [Metric] {
        resourceMetrics.flatMap { $0.scopeMetrics.flatMap { $0.metrics.filter { $0.name == name } } }
    }

    func metric(named name: String) -> Metric? { metrics(named: name).first }
}

extension MetricData {
    var sum: Sum? {
        if case .sum(let s) = self { return s }
        return nil
    }

    var gaugePoints: [NumberDataPoint]? {
        if case .gauge(let p) = self { return p }
        return nil
    }

    var histogram: Histogram? {
        if case .histogram(let h) = self { return h }
        return nil
    }
}

extension Traces {
    var spans: [Span] { resourceSpans.flatMap { $0.scopeSpans.flatMap(\.spans) } }
}
