import Foundation
import Testing

@testable import PrometheusReceiver

@Suite struct FileDiscoveryTests {
    @Test func readsJSONAndYAMLThroughGlobsAndNamesWhatItCannotUse() throws {
        let dir = NSTemporaryDirectory() + "file-sd-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"[{"targets": ["a:9100", "b:9100"], "labels": {"zone": "1"}}]"#.write(
            toFile: dir + "/one.json", atomically: true, encoding: .utf8)
        try "- targets: ['c:9100']\n  labels: {zone: '2', port: 9100}\n".write(
            toFile: dir + "/two.yml", atomically: true, encoding: .utf8)
        try "{not: a list}".write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let discovery = FileDiscovery(patterns: [dir + "/*.json", dir + "/two.yml"], refreshInterval: .seconds(300))
        #expect(discovery.files() == [dir + "/bad.json", dir + "/one.json", dir + "/two.yml"])
        let read = discovery.read()
        #expect(
            read.groups == [
                FileDiscovery.Group(targets: ["a:9100", "b:9100"], labels: ["zone": "1"], file: dir + "/one.json"),
                FileDiscovery.Group(
                    targets: ["c:9100"], labels: ["zone": "2", "port": "9100"], file: dir + "/two.yml"),
            ])
        #expect(read.problems == ["\(dir)/bad.json: expected a list of {targets, labels}"])
        let before = discovery.fingerprint()
        Thread.sleep(forTimeInterval: 0.01)
        try #"[{"targets": ["d:9100"]}]"#.write(toFile: dir + "/one.json", atomically: true, encoding: .utf8)
        #expect(discovery.fingerprint() != before)
    }
}
