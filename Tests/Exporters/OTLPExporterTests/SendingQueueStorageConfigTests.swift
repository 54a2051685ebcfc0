import ComponentKit
import ConfigTestSupport
import FileStorageExtension
import GatewayConfig
import OTLPExporter
import Testing

@Suite struct SendingQueueStorageConfigTests {
    static func yaml(storage: String, extensions: String, serviceExtensions: String) -> String {
        document(
            exporters:
                "otlp:\n  endpoint: 127.0.0.1:4317\n  tls: {insecure: true}\n  sending_queue:\n    storage: \(storage)",
            extensions: extensions,
            service:
                "extensions: [\(serviceExtensions)]\npipelines:\n  traces:\n    receivers: [otlp]\n    exporters: [otlp]"
        )
    }

    @Test func storageNamesAFileStorageExtension() throws {
        let config = try GatewayConfiguration.parse(
            yaml: Self.yaml(
                storage: "file_storage/q",
                extensions: "file_storage/q:\n  directory: /var/lib/gw\n  create_directory: true\n  fsync: true",
                serviceExtensions: "file_storage/q"),
            environment: [:])
        guard let otlp = config.exporters[ComponentID(type: "otlp")] as? OTLPExporterConfig else {
            Issue.record("no otlp exporter")
            return
        }
        #expect(otlp.sendingQueue.storage == ComponentID(type: "file_storage", name: "q"))
        guard let storage = config.extensions[ComponentID(type: "file_storage", name: "q")] as? FileStorageConfig else {
            Issue.record("no file_storage extension")
            return
        }
        #expect(storage == FileStorageConfig(directory: "/var/lib/gw", createDirectory: true, fsync: true))
        #expect(
            FileStorageConfig()
                == FileStorageConfig(
                    directory: "/var/lib/otlp-gateway/file_storage", createDirectory: false, fsync: false))
    }

    @Test func badReferencesAndKeysAreProblems() {
        #expect(
            problems(Self.yaml(storage: "file_storage", extensions: "health_check:", serviceExtensions: "health_check"))
                == [
                    "exporters.otlp.sending_queue.storage: \"file_storage\" is not defined in extensions"
                ])
        #expect(
            problems(Self.yaml(storage: "health_check", extensions: "health_check:", serviceExtensions: "health_check"))
                == [
                    "exporters.otlp.sending_queue.storage: \"health_check\" is not a storage extension; expected a file_storage extension"
                ])
        #expect(
            problems(
                Self.yaml(storage: "file_storage", extensions: "file_storage:\n  directory: /q", serviceExtensions: ""))
                == [
                    "exporters.otlp.sending_queue.storage: extension \"file_storage\" must also be listed in service.extensions"
                ])
        #expect(
            problems(
                Self.yaml(
                    storage: "file_storage",
                    extensions: "file_storage:\n  directory: relative\n  compaction: {on_start: true}",
                    serviceExtensions: "file_storage")) == [
                    "extensions.file_storage.directory: must be an absolute path, got relative",
                    "extensions.file_storage.compaction: not supported: queue files are deleted as soon as their request is delivered, so there is nothing to compact",
                ])
    }
}
