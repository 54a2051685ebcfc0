/// Where a request is in its life.
///
/// pending -> prefilling | prefillingSplit -> ... -> decoding -> finished, with failed and cancelled reachable from
/// any live state. A preempted request returns to pending and recomputes its prefill over prompt and generated
/// tokens when it is admitted again.
public enum RequestStatus: String, Sendable, Hashable, CaseIterable {
    /// Waiting for admission (new, or preempted).
    case pending
    /// Its whole remaining prefill is scheduled in the current step.
    case prefilling
    /// Only a chunk of its prefill fits the current step; the rest follows in later steps.
    case prefillingSplit = "prefilling_split"
    /// Producing one token per step.
    case decoding
    /// Ended on its stop token or `maxNewTokens`.
    case finished
    /// Ended by an error.
    case failed
    /// Ended by `Engine.cancel(_:)`, its consumer going away, or shutdown.
    case cancelled

    /// Whether the request has ended.
    public var isTerminal: Bool {
        switch self {
        case .finished, .failed, .cancelled: true
        case .pending, .prefilling, .prefillingSplit, .decoding: false
        }
    }
}

/// Why a request ended: the `reason` dimension of `finished_requests`.
public enum FinishReason: String, Sendable, Hashable, CaseIterable {
    /// It produced its stop token.
    case stop
    /// It produced `maxNewTokens` tokens.
    case length
    /// It was cancelled.
    case cancelled
    /// It failed (invalid, refused, or an error while running).
    case failed

    /// The terminal status that goes with the reason.
    public var status: RequestStatus {
        switch self {
        case .stop, .length: .finished
        case .cancelled: .cancelled
        case .failed: .failed
        }
    }
}
