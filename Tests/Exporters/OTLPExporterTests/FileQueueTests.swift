import Foundation
import Testing

@testable import OTLPExporter

@Suite(.timeLimit(.minutes(1))) struct FileQueueTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("file-queue-\(UUID().uuidString)").path
    }

    static func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".req") }
            .sorted()
    }

    @Test func requestsComeOutInOrderAndLeaveTheDiskWhenCompleted() async throws {
        let dir = Self.directory()
        let queue = try FileQueue(directory: dir, limits: .requests(10), fsync: true, create: true)
        for i in 1...3 { #expect(queue.push(body: [UInt8](repeating: UInt8(i), count: 100 * i), items: i)) }
        #expect(Self.files(dir) == ["0000000000000001.req", "0000000000000002.req", "0000000000000003.req"])
        #expect(queue.count == 3)
        let first = try #require(await queue.pop())
        #expect(first.items == 1 && first.body == [UInt8](repeating: 1, count: 100))
        queue.complete(first)
        #expect(Self.files(dir).count == 2)
        let second = try #require(await queue.pop())
        #expect(second.items == 2 && second.body.count == 200)
        #expect(queue.count == 2)  // in flight still counts: it is still on disk
    }

    @Test func whatWasNotCompletedIsThereAfterAReopenInOrder() async throws {
        let dir = Self.directory()
        do {
            let queue = try FileQueue(directory: dir, limits: .requests(10), fsync: false, create: true)
            for i in 1...4 { #expect(queue.push(body: [UInt8(i)], items: 1)) }
            let a = try #require(await queue.pop())
            queue.complete(a)
            let b = try #require(await queue.pop())
            queue.keep(b)  // interrupted by shutdown
            queue.close()
            #expect(await queue.pop() == nil)
        }
        let reopened = try FileQueue(directory: dir, limits: .requests(10), fsync: false, create: false)
        #expect(reopened.recovered == 3)
        var bodies: [[UInt8]] = []
        for _ in 0..<3 {
            let entry = try #require(await reopened.pop())
            bodies.append(entry.body)
            reopened.complete(entry)
        }
        #expect(bodies == [[2], [3], [4]])
        // New requests continue after the highest sequence on disk.
        #expect(reopened.push(body: [9], items: 1))
        #expect(Self.files(dir) == ["0000000000000005.req"])
    }

    @Test func capacityCountsRequestsInFlight() async throws {
        let queue = try FileQueue(directory: Self.directory(), limits: .requests(2), fsync: false, create: true)
        #expect(queue.push(body: [1], items: 1))
        #expect(queue.push(body: [2], items: 1))
        #expect(!queue.push(body: [3], items: 1))
        let entry = try #require(await queue.pop())
        #expect(!queue.push(body: [3], items: 1))
        queue.complete(entry)
        #expect(queue.push(body: [3], items: 1))
    }

    @Test func aWaitingSenderGetsThePushedRequestAndCloseWakesTheRest() async throws {
        let queue = try FileQueue(directory: Self.directory(), limits: .requests(4), fsync: false, create: true)
        async let waiting = queue.pop()
        try await Task.sleep(for: .milliseconds(50))
        #expect(queue.push(body: [7, 7], items: 2))
        let entry = await waiting
        #expect(entry?.body == [7, 7] && entry?.items == 2)
        async let idle = queue.pop()
        try await Task.sleep(for: .milliseconds(50))
        queue.close()
        #expect(await idle == nil)
        #expect(!queue.push(body: [1], items: 1))
    }

    @Test func partialAndDamagedFilesAreSetAside() throws {
        let dir = Self.directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/0000000000000007.req.tmp"))
        try Data("not a request".utf8).write(to: URL(fileURLWithPath: dir + "/0000000000000008.req"))
        try Data(Array("OGQ1".utf8) + [5, 0, 0, 0, 42]).write(to: URL(fileURLWithPath: dir + "/0000000000000009.req"))
        let queue = try FileQueue(directory: dir, limits: .requests(10), fsync: false, create: false)
        #expect(queue.recovered == 1 && queue.corrupt == 1)
        #expect(!FileManager.default.fileExists(atPath: dir + "/0000000000000007.req.tmp"))
        #expect(FileManager.default.fileExists(atPath: dir + "/corrupt/0000000000000008.req"))
        #expect(queue.push(body: [1], items: 1))
        #expect(Self.files(dir) == ["0000000000000009.req", "0000000000000010.req"])
    }

    @Test func aMissingDirectoryIsCreatedOnlyWhenAskedTo() throws {
        let dir = Self.directory() + "/a/b"
        #expect(throws: FileQueue.OpenError.self) {
            try FileQueue(directory: dir, limits: .requests(1), fsync: false, create: false)
        }
        _ = try FileQueue(directory: dir, limits: .requests(1), fsync: false, create: true)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
