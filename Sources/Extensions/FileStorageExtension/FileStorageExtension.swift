public import ComponentKit
internal import FileIO

extension FileStorageConfig: ComponentConfig {}

/// `file_storage`: a directory for exporters' persistent sending queues and the journals of the batch
/// processors in front of them.
public struct FileStorageExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["file_storage"] }

    public var capabilities: Set<ExtensionCapability> { [.storage] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        FileStorageConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let storage = config as? FileStorageConfig else { throw ComponentBuildError("not a file_storage config") }
        // Checked at start, so a missing or read-only directory fails the start rather than the first request.
        do {
            try Directory.ensure(storage.directory, create: storage.createDirectory)
        } catch {
            throw ComponentBuildError("extensions.\(context.id).directory: \(error)")
        }
        return FileStorageExtension(id: context.id, config: storage)
    }
}

/// The running `file_storage`: hands out one subdirectory per owner.
struct FileStorageExtension: StorageExtension {
    let id: ComponentID
    let config: FileStorageConfig

    var fsync: Bool { config.fsync }

    func directory(for owner: String) throws -> String {
        let name = String(owner.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        let path = config.directory + "/" + name
        do {
            try Directory.ensure(path, create: true)
        } catch {
            throw ComponentBuildError("extensions.\(id).directory: \(error)")
        }
        return path
    }
}
