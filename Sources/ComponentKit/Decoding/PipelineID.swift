public import GatewayCore

/// A pipeline's identity: its signal and an optional name (`traces`, `metrics/remote`).
public struct PipelineID: Hashable, Sendable, CustomStringConvertible {
    /// The signal the pipeline carries, the part before any `/`.
    public let signal: Signal
    /// The optional name after the first `/`; nil when absent.
    public let name: String?

    /// Creates an ID; an empty `name` is the same as none.
    public init(signal: Signal, name: String? = nil) {
        self.signal = signal
        self.name = name?.isEmpty == true ? nil : name
    }

    /// Parses `signal` or `signal/name`; nil when the signal is unknown or the name is invalid.
    public init?(parsing text: String) {
        guard case .success(let id) = Self.parse(text) else { return nil }
        self = id
    }

    /// `signal` or `signal/name`.
    public var description: String {
        name.map { "\(signal.rawValue)/\($0)" } ?? signal.rawValue
    }

    /// The same naming rules as component IDs, with the type restricted to the three signals.
    public static func parse(_ text: String) -> Result<PipelineID, ComponentID.ParseProblem> {
        switch ComponentID.parse(text, subject: "pipeline ID") {
        case .failure(let problem):
            return .failure(problem)
        case .success(let id):
            guard let signal = Signal(rawValue: id.type) else {
                return .failure(
                    ComponentID.ParseProblem(
                        message: "unknown signal \(quoted(id.type)) (expected traces, metrics or logs)"))
            }
            return .success(PipelineID(signal: signal, name: id.name))
        }
    }
}
