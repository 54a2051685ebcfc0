public import ComponentKit
internal import FileIO
public import GatewayCore
internal import Logging

#if canImport(Glibc)
    internal import Glibc
#endif

/// The `resourcedetection` processor, `processors.resourcedetection[/name]`: attributes of where the gateway runs,
/// detected once at start and added to every resource, in the Collector's shape (`detectors`, `override`,
/// `system.hostname_sources`, `system.resource_attributes.<name>.enabled`).
public struct ResourceDetectionConfig: ComponentConfig {
    /// Detectors built here.
    public enum Detector: String, Sendable, CaseIterable {
        /// `OTEL_RESOURCE_ATTRIBUTES`.
        case env
        /// `host.name`, `host.id`, `os.type`, `host.arch`.
        case system
    }

    /// The Collector's other detectors: accepted and skipped with a warning, as the Collector skips a cloud it is
    /// not running on.
    static let elsewhere: Set<String> = [
        "ec2", "ecs", "eks", "elasticbeanstalk", "lambda", "azure", "aks", "gcp", "docker", "heroku", "k8snode",
        "openshift", "consul", "dynatrace", "akamai", "scaleway", "hetzner", "oraclecloud", "upcloud", "vultr",
        "digitalocean", "kubeadm", "openstack/nova", "alibaba",
    ]

    public var detectors: [Detector]
    public var skipped: [String]
    /// `override`: detected values replace a resource's own. Default true, as in the Collector.
    public var override: Bool
    /// `system.resource_attributes.<name>.enabled`; the Collector's defaults: `host.name` and `os.type` on.
    public var systemAttributes: [String: Bool]
    /// `system.hostname_sources`: `os` (and `dns`, which falls back to the OS's name here).
    public var hostnameSources: [String]

    static let systemDefaults: [String: Bool] = [
        "host.name": true, "os.type": true, "host.id": false, "host.arch": false,
    ]

    init(from reader: MappingReader) {
        var detectors: [Detector] = []
        var skipped: [String] = []
        if let list = reader.stringList("detectors") {
            for name in list.strings {
                if let detector = Detector(rawValue: name) {
                    detectors.append(detector)
                } else if Self.elsewhere.contains(name) {
                    skipped.append(name)
                } else {
                    reader.report("detectors", "unknown detector \(quoted(name))")
                }
            }
        } else {
            reader.report("detectors", "required: a list such as [env, system]")
        }
        self.detectors = detectors
        self.skipped = skipped
        override = reader.bool("override", default: true)
        _ = reader.duration("timeout", default: .seconds(2))
        var systemAttributes = Self.systemDefaults
        var hostnameSources = ["dns", "os"]
        reader.section("system") { system in
            if let sources = system.stringList("hostname_sources") {
                for source in sources.strings where !["dns", "os", "cname", "lookup"].contains(source) {
                    system.report("hostname_sources", "unknown source \(quoted(source))")
                }
                hostnameSources = sources.strings
            }
            system.section("resource_attributes") { attributes in
                for key in attributes.keys {
                    attributes.section(key) { entry in
                        let enabled = entry.bool("enabled", default: Self.systemDefaults[key] ?? false)
                        if Self.systemDefaults[key] != nil { systemAttributes[key] = enabled }
                    }
                }
            }
        }
        self.systemAttributes = systemAttributes
        self.hostnameSources = hostnameSources
        for name in Self.elsewhere where reader.contains(name) {
            _ = reader.value(name)
        }
    }

    /// The attributes the detectors find now, in detector order (an earlier detector wins on a shared key, as in
    /// the Collector).
    func detect(environment: [String: String]) -> Attributes {
        var found = Attributes()
        for detector in detectors {
            let attributes: [(String, AnyValue)]
            switch detector {
            case .env: attributes = Self.fromEnvironment(environment["OTEL_RESOURCE_ATTRIBUTES"] ?? "")
            case .system: attributes = system()
            }
            for (key, value) in attributes where found[key] == nil { found.set(key, value) }
        }
        return found
    }

    /// `key=value,key2=value2`, values percent-decoded, as the SDK specification says.
    static func fromEnvironment(_ text: String) -> [(String, AnyValue)] {
        text.split(separator: ",").compactMap { pair in
            guard let eq = pair.firstIndex(of: "=") else { return nil }
            let key = pair[..<eq].trimmingCharacters(in: " ")
            let value = percentDecoded(pair[pair.index(after: eq)...].trimmingCharacters(in: " "))
            return key.isEmpty ? nil : (key, .string(value))
        }
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.first {
            utf8 = utf8.dropFirst()
            if b == UInt8(ascii: "%"), utf8.count >= 2,
                let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func system() -> [(String, AnyValue)] {
        var out: [(String, AnyValue)] = []
        if systemAttributes["host.name"] == true, let name = Self.hostname() {
            out.append(("host.name", .string(name)))
        }
        if systemAttributes["os.type"] == true { out.append(("os.type", .string("linux"))) }
        if systemAttributes["host.id"] == true, let id = Self.machineID() { out.append(("host.id", .string(id))) }
        if systemAttributes["host.arch"] == true, let arch = Self.architecture() {
            out.append(("host.arch", .string(arch)))
        }
        return out
    }

    static func hostname() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    static func machineID() -> String? {
        for path in ["/etc/machine-id", "/var/lib/dbus/machine-id"] {
            if let text = WholeFile.text(path) {
                let id = text.trimmingCharacters(in: " \n\r\t")
                if !id.isEmpty { return id }
            }
        }
        return nil
    }

    /// `uname -m` in the semantic conventions' values.
    static func architecture() -> String? {
        var info = utsname()
        guard uname(&info) == 0 else { return nil }
        let machine = withUnsafeBytes(of: info.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case "i386", "i686": return "x86"
        case "ppc64le", "ppc64": return "ppc64"
        case "s390x": return "s390x"
        default: return machine.hasPrefix("arm") ? "arm32" : machine
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

/// Adds the detected attributes to every resource: where a resource already has one, `override` decides.
public struct ResourceDetectionProcessor<Data: TelemetryData>: Consumer {
    public let detected: Attributes
    public let override: Bool
    public let next: any Consumer<Data>

    public init(detected: Attributes, override: Bool, next: any Consumer<Data>) {
        self.detected = detected
        self.override = override
        self.next = next
    }

    func apply(_ attributes: inout Attributes) {
        for attribute in detected where override || attributes[attribute.key] == nil {
            attributes.set(attribute.key, attribute.value)
        }
    }

    public func consume(_ data: Data) throws(PipelineError) -> ConsumeResult {
        guard !detected.isEmpty else { return try next.consume(data) }
        var data = data
        data.editResources { apply(&$0.attributes) }
        return try next.consume(data)
    }
}

/// `resourcedetection`, in every pipeline type. Detection runs once per processor ID at start.
public struct ResourceDetectionProcessorFactory: ProcessorFactory {
    let environment: @Sendable () -> [String: String]

    public init(environment: @escaping @Sendable () -> [String: String] = { ProcessEnvironment.current() }) {
        self.environment = environment
    }

    public var types: [String] { ["resourcedetection"] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        ResourceDetectionConfig(from: reader)
    }

    struct DetectedKey: Hashable {
        let id: ComponentID
    }

    public func build<D: TelemetryData>(
        _ config: any ComponentConfig, next: any Consumer<D>, _ context: ProcessorContext
    ) throws -> any Consumer<D> {
        guard let c = config as? ResourceDetectionConfig else {
            throw ComponentBuildError("not a resourcedetection config")
        }
        let id = context.base.id
        let detected = context.base.shared(DetectedKey(id: id)) { () -> Attributes in
            let found = c.detect(environment: environment())
            for name in c.skipped {
                context.base.logger.warning(
                    "resourcedetection: detector not built here; skipped",
                    metadata: ["processor": "\(id)", "detector": "\(name)"])
            }
            context.base.logger.info(
                "resourcedetection",
                metadata: ["processor": "\(id)", "attributes": "\(found.map(\.key).joined(separator: ","))"])
            return found
        }
        return ResourceDetectionProcessor<D>(detected: detected, override: c.override, next: next)
    }
}

/// The process's environment, read through the C library (no Foundation in this module).
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var out: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                out[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return out
    }
}

extension ResourceDetectionConfig: Equatable {
    public static func == (a: ResourceDetectionConfig, b: ResourceDetectionConfig) -> Bool {
        a.detectors == b.detectors && a.skipped == b.skipped && a.override == b.override
            && a.systemAttributes == b.systemAttributes && a.hostnameSources == b.hostnameSources
    }
}
