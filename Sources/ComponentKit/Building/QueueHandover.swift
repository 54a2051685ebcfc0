public import GatewayCore

/// An exporter that can pass on what it has not delivered instead of sending it: when a `loadbalancing` backend
/// leaves the ring, what it holds goes to the backends that own those keys now, rather than to an address that
/// may be gone for good.
public protocol QueueHandover<Data>: Sendable {
    associatedtype Data: TelemetryData

    /// From now on each request this exporter has not delivered (queued, waiting out a backoff, or one whose
    /// attempt fails) is offered to `receiver` first, decoded and with its request metadata. One the receiver
    /// takes (returns true) is done with; one it refuses is sent to the exporter's own destination as before and
    /// offered again before each retry. Requests waiting on disk are offered before the exporter's drain closes its
    /// queue. Call this before stopping the exporter.
    func handOver(to receiver: @escaping @Sendable (Data) -> Bool)
}
