import Foundation
import GatewayCore
import Logging
import Synchronization

@testable import HostMetricsReceiver

/// A consumer that keeps what it is given, or refuses while `refusing` is set.
final class RecordingConsumer: Consumer, Sendable {
    private let state = Mutex<(received: [Metrics], refusing: Bool)>(([], false))

    init(refusing: Bool = false) { state.withLock { $0.refusing = refusing } }

    func consume(_ data: Metrics) throws(PipelineError) -> ConsumeResult {
        let refusing = state.withLock { state in
            if !state.refusing { state.received.append(data) }
            return state.refusing
        }
        if refusing { throw PipelineError.retryable("full") }
        return .accepted
    }

    var received: [Metrics] { state.withLock { $0.received } }
}

/// Keeps every log message, to count the lines a receiver writes.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var messages: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            log.lines.withLock { $0.append("\(event.message) \(extra)") }
        }
    }
}

/// Builds `Fixtures/fake_nvml.c` into a shared library with the system C compiler, as a driver would install
/// `libnvidia-ml.so.1`, so the receiver's real `dlopen` path is exercised.
enum FakeNVML {
    static func build(defines: [String] = []) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fake_nvml.c").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-nvml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("libnvidia-ml.so.1").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-o", output, source] + defines.map { "-D\($0)" }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BuildFailed(status: process.terminationStatus) }
        return output
    }

    struct BuildFailed: Error {
        var status: Int32
    }
}

extension Metrics {
    var allMetrics: [Metric] { resourceMetrics.flatMap { $0.scopeMetrics.flatMap(\.metrics) } }

    func metric(_ name: String) -> Metric? { allMetrics.first { $0.name == name } }
}

extension Metric {
    var points: [NumberDataPoint] {
        switch data {
        case .gauge(let p): return p
        case .sum(let s): return s.dataPoints
        default: return []
        }
    }

    func value(where attributes: [String: String]) -> Double? {
        points.first { point in
            attributes.allSatisfy { key, value in point.attributes.first { $0.key == key }?.value == .string(value) }
        }?.value.doubleValue
    }
}
