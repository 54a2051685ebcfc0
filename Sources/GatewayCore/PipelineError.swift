/// Why a pipeline stage refused data: retryable (the client should send again later) or permanent.
///
/// A struct over a private enum, so that kinds can be added without breaking callers.
public struct PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable {
        case retryable(retryAfterSeconds: Int?)
        case permanent
    }

    private let kind: Kind
    /// What went wrong, for the client and the log.
    public let message: String

    private init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// A transient refusal, e.g. a full queue; `retryAfterSeconds` becomes RetryInfo / `Retry-After`.
    public static func retryable(_ message: String, retryAfterSeconds: Int? = nil) -> PipelineError {
        PipelineError(kind: .retryable(retryAfterSeconds: retryAfterSeconds), message: message)
    }

    /// A refusal that sending again cannot fix.
    public static func permanent(_ message: String) -> PipelineError {
        PipelineError(kind: .permanent, message: message)
    }

    public var isRetryable: Bool {
        if case .retryable = kind { return true }
        return false
    }

    public var retryAfterSeconds: Int? {
        if case .retryable(let seconds) = kind { return seconds }
        return nil
    }

    public var description: String { (isRetryable ? "retryable: " : "permanent: ") + message }
}
