public import GatewayCore

extension RecentTraceStore {
    /// The bytes a span is charged against `maxBytes`: `Footprint.of(_:)`, a deterministic estimate, so tests and
    /// capacity planning can rely on it, not a measurement of the heap.
    ///
    /// Resource and scope are not charged: spans of one batch share them copy-on-write, so charging them per trace
    /// would count the same storage many times.
    public static func estimatedSize(of span: Span) -> Int { Footprint.of(span) }
}
