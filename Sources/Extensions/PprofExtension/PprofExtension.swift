public import ComponentKit
internal import Logging

/// The `pprof` extension, `extensions.pprof[/name]`: accepted so that the many Collector configs that enable it run
/// unchanged, with one warning at start. Go's pprof endpoints have no counterpart in this runtime (profile the
/// gateway with `perf` instead), so nothing listens.
public struct PprofConfig: ComponentConfig, Equatable {
    /// `endpoint`: where the Collector would listen. Default `localhost:1777`.
    public var endpoint: String
    /// `block_profile_fraction`, `mutex_profile_fraction`, `save_to_file`: accepted, unused.
    public var blockProfileFraction: Int
    public var mutexProfileFraction: Int
    public var saveToFile: String

    public init(
        endpoint: String = "localhost:1777", blockProfileFraction: Int = 0, mutexProfileFraction: Int = 0,
        saveToFile: String = ""
    ) {
        self.endpoint = endpoint
        self.blockProfileFraction = blockProfileFraction
        self.mutexProfileFraction = mutexProfileFraction
        self.saveToFile = saveToFile
    }

    init(from reader: MappingReader) {
        let d = PprofConfig()
        self.init(
            endpoint: reader.endpoint("endpoint", default: d.endpoint),
            blockProfileFraction: reader.int("block_profile_fraction", default: 0, min: 0),
            mutexProfileFraction: reader.int("mutex_profile_fraction", default: 0, min: 0),
            saveToFile: reader.string("save_to_file", default: ""))
    }
}

/// `pprof`: a warning instead of a refused config.
public struct PprofExtensionFactory: ExtensionFactory {
    public init() {}

    public var types: [String] { ["pprof"] }

    public var capabilities: Set<ExtensionCapability> { [] }

    public func decode(_ reader: MappingReader, context: DecodingContext) -> any ComponentConfig {
        PprofConfig(from: reader)
    }

    public func build(_ config: any ComponentConfig, _ context: BuildContext) throws -> any Extension {
        guard let pprof = config as? PprofConfig else { throw ComponentBuildError("not a pprof config") }
        context.logger.warning(
            "pprof extension accepted but not served: this runtime has no Go pprof endpoints; profile with perf",
            metadata: ["extension": "\(context.id)", "endpoint": "\(pprof.endpoint)"])
        return PprofExtension()
    }
}

/// Nothing to start or stop.
struct PprofExtension: Extension {}
