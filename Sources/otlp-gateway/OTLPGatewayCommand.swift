import ArgumentParser
import FileIO
import Gateway
import GatewayConfig
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct OTLPGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otlp-gateway",
        abstract: "An OTLP collector and metrics gateway.",
        version: GatewayVersion.current,
        subcommands: [Run.self, Validate.self, LoadGenCommand.self, BenchCommand.self],
        defaultSubcommand: Run.self
    )
}

/// Options shared by the commands that read a configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the collector.yaml configuration.")
    var config: String = "collector.yaml"
}

extension OTLPGatewayCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the gateway (the default).")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config: GatewayConfiguration
            do {
                config = try GatewayConfiguration.load(path: options.config, components: Components.table)
            } catch {
                printError("invalid configuration \(options.config):\n\(error)")
                throw ExitCode(2)
            }
            let level =
                Logger.Level(
                    rawValue: config.service.telemetry.logsLevel == "warn"
                        ? "warning" : config.service.telemetry.logsLevel) ?? .info
            let json = config.service.telemetry.logsEncoding == .json
            LoggingSystem.bootstrap { label in
                if json {
                    var handler = JSONLogHandler(label: label)
                    handler.logLevel = level
                    return handler
                }
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "otlp-gateway")
            Self.raiseFileDescriptorLimit(logger: logger)
            let gateway = GatewayService(config: config, logger: logger, version: GatewayVersion.current)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: gateway)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}

extension OTLPGatewayCommand.Run {
    /// Raises the soft limit on open files to the hard limit: every connection is a descriptor, and the
    /// listeners' own `max_connections` (not the process default of often 1024) should be what bounds them.
    static func raiseFileDescriptorLimit(logger: Logger) {
        let limit = OpenFiles.raiseToHardLimit()
        if limit < 8192 {
            logger.warning(
                "few file descriptors: each connection needs one; raise the hard limit (ulimit -Hn) or lower max_connections",
                metadata: ["open_files_limit": "\(limit)"])
        }
    }
}

extension OTLPGatewayCommand {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate", abstract: "Check a configuration and print every problem.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            do {
                _ = try GatewayConfiguration.load(path: options.config, components: Components.table)
                print("\(options.config): valid")
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
    }
}

func printError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
