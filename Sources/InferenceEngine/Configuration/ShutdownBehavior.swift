/// What the engine does with accepted work when it is asked to stop.
public enum ShutdownBehavior: String, Sendable, Hashable, CaseIterable {
    /// Refuse new requests and finish every accepted one (running and waiting) before `run()` returns.
    case finishInFlight = "finish"
    /// Refuse new requests and cancel every accepted one at the next step.
    case cancelInFlight = "cancel"
}
