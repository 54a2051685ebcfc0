public import GatewayCore
public import SelfTelemetry

/// A receiver's hand-off with the Collector's receiver self-metrics
/// (`otelcol_receiver_{accepted,refused}_<items>_total{receiver,transport}`), for receivers that produce data in
/// process (the engine) rather than answer requests, so every receiver's traffic is counted the same way.
public struct CountingConsumer<Data: TelemetryData>: Consumer {
    let next: any Consumer<Data>
    let accepted: TelemetryCounter
    let refused: TelemetryCounter

    public init(next: any Consumer<Data>, receiver: String, transport: String = "", registry: TelemetryRegistry) {
        self.next = next
        let labels = ["receiver": receiver, "transport": transport]
        let unit = Data.signal.itemUnit
        accepted = registry.counter(
            "otelcol_receiver_accepted_\(unit)_total", help: "Number of \(unit) successfully pushed into the pipeline.",
            labels: labels)
        refused = registry.counter(
            "otelcol_receiver_refused_\(unit)_total",
            help: "Number of \(unit) that could not be pushed into the pipeline.",
            labels: labels)
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        let items = data.itemCount
        do {
            let result = try next.consume(data)
            accepted.add(items - result.rejectedItems)
            refused.add(result.rejectedItems)
            return result
        } catch {
            refused.add(items)
            throw error
        }
    }
}
