/// An error of the inference engine: a code to match on and a message for people.
///
/// A struct over a private enum, so codes can be added without breaking anyone's exhaustive switch.
public struct EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of error.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration = "invalid_configuration"
            case invalidRequest = "invalid_request"
            case duplicateRequestID = "duplicate_request_id"
            case queueFull = "queue_full"
            case shuttingDown = "shutting_down"
            case cancelled
            case numericalError = "numerical_error"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The request can never be served: empty prompt, unknown token id, too long, or bad sampling parameters.
        public static let invalidRequest = Code(.invalidRequest)
        /// Another live request has the same id.
        public static let duplicateRequestID = Code(.duplicateRequestID)
        /// `max_waiting_requests` requests are already waiting: retry later.
        public static let queueFull = Code(.queueFull)
        /// The engine is shutting down and takes no new requests.
        public static let shuttingDown = Code(.shuttingDown)
        /// The request was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The model produced non-finite logits for the request.
        public static let numericalError = Code(.numericalError)

        public var description: String { base.rawValue }

        /// Whether sending the same request again later may succeed.
        public var isRetryable: Bool { base == .queueFull || base == .shuttingDown }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
