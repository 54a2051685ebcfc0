import Foundation
import GatewayCore
import Logging
import TestSupport

@testable import HostMetricsReceiver

/// Builds `Fixtures/fake_nvml.c` into a shared library with the system C compiler, as a driver would install
/// `libnvidia-ml.so.1`, so the receiver's real `dlopen` path is exercised.
enum FakeNVML {
    static func build(defines: [String] = []) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/fake_nvml.c"
        ).path
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
