internal import CoreMetrics
internal import GatewayCore
internal import Synchronization

/// A monotonic integer counter: one atomic add per increment.
final class PipelineCounter: CounterHandler, Sendable {
    private let value = Atomic<Int64>(0)

    func increment(by amount: Int64) {
        // swift-metrics counters only go up; a negative amount is a caller bug we ignore rather than trap on.
        guard amount > 0 else { return }
        value.wrappingAdd(amount, ordering: .relaxed)
    }

    func reset() { value.store(0, ordering: .relaxed) }

    var current: Int64 { value.load(ordering: .relaxed) }
}

/// A monotonic floating-point counter: one lock per increment.
final class PipelineFloatingPointCounter: FloatingPointCounterHandler, Sendable {
    private let value = Mutex<Double>(0)

    func increment(by amount: Double) {
        guard amount > 0, amount.isFinite else { return }
        value.withLock { $0 += amount }
    }

    func reset() { value.withLock { $0 = 0 } }

    var current: Double { value.withLock { $0 } }
}

/// A last-value gauge, for `Gauge`, `Recorder(aggregate: false)` and `Meter`: one lock per call.
final class PipelineGauge: RecorderHandler, MeterHandler, Sendable {
    private let value = Mutex<NumberValue?>(nil)

    func record(_ value: Int64) { self.value.withLock { $0 = .int(value) } }
    func record(_ value: Double) { self.value.withLock { $0 = .double(value) } }
    func set(_ value: Int64) { record(value) }
    func set(_ value: Double) { record(value) }

    func increment(by amount: Double) {
        value.withLock { $0 = .double(($0?.doubleValue ?? 0) + amount) }
    }

    func decrement(by amount: Double) {
        value.withLock { $0 = .double(($0?.doubleValue ?? 0) - amount) }
    }

    /// Nil until the first value.
    var current: NumberValue? { value.withLock { $0 } }
}

/// The state of an explicit-bucket histogram.
struct HistogramState: Sendable {
    var count: UInt64 = 0
    var sum: Double = 0
    var min: Double = .infinity
    var max: Double = -.infinity
    var bucketCounts: [UInt64]
}

/// An explicit-bucket histogram, for `Recorder(aggregate: true)` and `Timer`: one lock per value.
final class PipelineHistogram: RecorderHandler, TimerHandler, Sendable {
    /// Ascending upper bounds; bucket `i` counts values in `(bounds[i-1], bounds[i]]`, as OTLP defines them.
    let bounds: [Double]
    /// What one recorded nanosecond is in the exported unit (timers only).
    private let nanosecondScale: Double
    private let state: Mutex<HistogramState>

    init(bounds: [Double], nanosecondScale: Double = 1) {
        self.bounds = bounds
        self.nanosecondScale = nanosecondScale
        self.state = Mutex(HistogramState(bucketCounts: Array(repeating: 0, count: bounds.count + 1)))
    }

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        guard !value.isNaN else { return }
        let index = bucketIndex(value)
        state.withLock { state in
            state.count += 1
            state.sum += value
            if value < state.min { state.min = value }
            if value > state.max { state.max = value }
            state.bucketCounts[index] += 1
        }
    }

    func recordNanoseconds(_ duration: Int64) { record(Double(duration) * nanosecondScale) }

    /// The first bucket whose upper bound is at least `value` (binary search, outside the lock).
    private func bucketIndex(_ value: Double) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let mid = (low + high) / 2
            if bounds[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    var snapshot: HistogramState { state.withLock { $0 } }
}
