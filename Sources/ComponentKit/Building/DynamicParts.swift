internal import GatewayCore
internal import Synchronization

/// Long-running parts a component starts while it runs (a batcher per tenant, an exporter per tenant or backend),
/// run as one part of the graph: each is started when added (or when this starts), and a stop drains or cancels
/// them all and waits for them, the way the graph stops its own parts.
public final class DynamicParts: Sendable {
    private struct State {
        var running = false
        var stopping = false
        var entries: [(part: Part, group: String, task: Task<Void, Never>?)] = []
    }

    private let state = Mutex(State())
    private let stop = StopSignal()

    public init() {}

    /// Adds a part to `group`; it starts at once when this is running. Parts added after a stop began are run and
    /// stopped at once, so what they hold is flushed too.
    public func add(_ part: Part, group: String = "") {
        let start = state.withLock { s -> Bool in
            let start = s.running || s.stopping
            s.entries.append((part, group, nil))
            return start
        }
        if start { launch() }
    }

    /// Takes the parts of `group` out and stops them (a backend that left): drained, or cancelled, and cancelled
    /// anyway after `timeout`; returns when they have ended.
    public func remove(group: String, within timeout: Duration) async {
        let removed = state.withLock { s -> [(part: Part, group: String, task: Task<Void, Never>?)] in
            let removed = s.entries.filter { $0.group == group }
            s.entries.removeAll { $0.group == group }
            return removed
        }
        for (part, _, task) in removed {
            if let drain = part.drain { drain() } else { task?.cancel() }
        }
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            for entry in removed { entry.task?.cancel() }
        }
        for entry in removed { await entry.task?.value }
        deadline.cancel()
    }

    /// Starts every part that has no task yet; during a stop, stops it again at once.
    private func launch() {
        state.withLock { s in
            for i in s.entries.indices where s.entries[i].task == nil {
                let part = s.entries[i].part
                s.entries[i].task = Task { await part.run() }
                if s.stopping {
                    if let drain = part.drain { drain() } else { s.entries[i].task?.cancel() }
                }
            }
        }
    }

    /// Runs every part until `finish()`, then stops them all; cancelling this cancels them.
    public func run() async {
        state.withLock { $0.running = true }
        launch()
        await withTaskCancellationHandler {
            await stop.wait()
        } onCancel: {
            let tasks = state.withLock { $0.entries.compactMap(\.task) }
            for task in tasks { task.cancel() }
        }
        let entries = state.withLock { s -> [(part: Part, group: String, task: Task<Void, Never>?)] in
            s.running = false
            s.stopping = true
            return s.entries
        }
        for (part, _, task) in entries {
            if let drain = part.drain { drain() } else { task?.cancel() }
        }
        for entry in entries { await entry.task?.value }
    }

    /// Ends `run()`: the parts are stopped and awaited.
    public func finish() { stop.stop() }
}
