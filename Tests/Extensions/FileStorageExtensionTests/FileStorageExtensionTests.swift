import ComponentKit
import FileStorageExtension
import Foundation
import Logging
import SelfTelemetry
import Testing

@Suite struct FileStorageExtensionTests {
    static func start(_ config: FileStorageConfig) throws -> any StorageExtension {
        let graph = GraphBuilder(registry: TelemetryRegistry(), logger: Logger(label: "t"), health: HealthStatus())
        let built = try FileStorageExtensionFactory().build(
            config, BuildContext(id: ComponentID(type: "file_storage", name: "q"), graph: graph))
        return try #require(built as? any StorageExtension)
    }

    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "file-storage-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func givesEachOwnerItsOwnDirectory() throws {
        let base = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let storage = try Self.start(FileStorageConfig(directory: base, createDirectory: true, fsync: true))
        #expect(storage.fsync)
        let a = try storage.directory(for: "otlp/tempo-traces")
        let b = try storage.directory(for: "batch-batch-traces")
        #expect(a == base + "/otlp_tempo-traces")
        #expect(a != b)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: a, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    @Test func aMissingDirectoryFailsTheStartUnlessItMayBeCreated() throws {
        let base = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect {
            _ = try Self.start(FileStorageConfig(directory: base))
        } throws: { error in
            "\(error)".hasPrefix("extensions.file_storage/q.directory: \(base) does not exist")
        }
        _ = try Self.start(FileStorageConfig(directory: base, createDirectory: true))
        #expect(FileManager.default.fileExists(atPath: base))
    }
}
