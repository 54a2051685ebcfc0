internal import Synchronization

/// The one periodic loop of the gateway: every batch timer, flush, scrape, collection and check runs through it,
/// so "tick until stopped, then once more" has one implementation, and every caller's time comes from an injected
/// `Clock` (tests drive it with a manual clock instead of waiting).
public enum Periodic {
    /// What happens around the ticks.
    public struct Options: Sendable {
        /// Tick once before the first wait (a first scrape, a first memory check).
        public var tickAtStart: Bool
        /// Tick once more when stopped (a final flush or collection), so nothing gathered since the last tick
        /// stays behind.
        public var tickAtStop: Bool

        public init(tickAtStart: Bool = false, tickAtStop: Bool = true) {
            self.tickAtStart = tickAtStart
            self.tickAtStop = tickAtStop
        }
    }

    /// Calls `tick` every `interval` of `clock` until the task is cancelled or `stop` ends; see `Options`.
    public static func run<C: Clock>(
        every interval: Duration, clock: C, options: Options = Options(), stop: StopSignal? = nil,
        _ tick: () async -> Void
    ) async where C.Duration == Duration {
        if options.tickAtStart { await tick() }
        while !Task.isCancelled, !(stop?.isStopped ?? false) {
            do {
                if let stop {
                    try await stop.sleep(for: interval, clock: clock)
                } else {
                    try await clock.sleep(for: interval)
                }
            } catch {
                break
            }
            if stop?.isStopped ?? false { break }
            await tick()
        }
        if options.tickAtStop { await tick() }
    }
}

/// A one-way "stop now" for a loop that must finish its work rather than be cancelled (an exporter draining its
/// queue): `stop()` wakes every `wait` and `sleep` early, and the loop ends after its final tick.
public final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var isStopped: Bool { state.withLock { $0.stopped } }

    /// Ends every present and future `sleep` and `wait`.
    public func stop() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.stopped = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `stop()` or cancellation.
    public func wait() async {
        let id = state.withLock { s -> UInt64 in
            defer { s.nextID += 1 }
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.stopped || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Sleeps for `duration` of `clock`, or less when `stop()` comes first; throws on cancellation.
    public func sleep<C: Clock>(for duration: Duration, clock: C) async throws where C.Duration == Duration {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await clock.sleep(for: duration) }
            group.addTask { await self.wait() }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }
}
