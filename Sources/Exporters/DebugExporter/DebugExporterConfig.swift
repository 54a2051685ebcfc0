public import ComponentKit

/// The `debug` exporter, which writes what it receives to the gateway's log: `exporters.debug[/name]`.
public struct DebugExporterConfig: Sendable, Equatable {
    /// How much of each batch is written.
    public enum Verbosity: String, Sendable, CaseIterable {
        /// A one-line summary per batch: counts of items.
        case basic
        /// One line per item.
        case normal
        /// Every field of every item.
        case detailed
    }

    /// `verbosity`: `basic`, `normal` or `detailed` (any case). Default `basic`.
    public var verbosity: Verbosity

    public init(verbosity: Verbosity = .basic) {
        self.verbosity = verbosity
    }
}

extension DebugExporterConfig: ConfigSection {
    public init(from reader: MappingReader) {
        self.init(verbosity: reader.choice("verbosity", default: DebugExporterConfig().verbosity))
    }
}
