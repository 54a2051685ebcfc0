internal import Synchronization

/// Identifies a request for its whole life, and in `Engine.cancel(_:)`.
public struct RequestID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    /// A process-wide unique id, `req-<n>`.
    public static func unique() -> RequestID {
        RequestID("req-\(requestIDCounter.add(1, ordering: .relaxed).newValue)")
    }
}

private let requestIDCounter = Atomic<UInt64>(0)

/// How the next token is picked from the model's logits.
public enum SamplingStrategy: Sendable, Hashable {
    /// The most likely token (the lowest id on ties).
    case greedy
    /// A draw from `softmax(logits / temperature)` with a generator seeded by `seed`, so the same request gives
    /// the same tokens. A temperature of 0 is greedy.
    case temperature(Float, seed: UInt64)
}

/// One generation request: a prompt of token ids and when to stop.
public struct GenerationRequest: Sendable, Hashable {
    /// Unique among live requests; a duplicate fails with `EngineError.Code.duplicateRequestID`.
    public var id: RequestID
    /// The prompt's token ids, each in `0..<vocabularySize`; at least one.
    public var promptTokens: [Int]
    /// Tokens to generate at most (finish reason `length`); at least 1. Default 20.
    public var maxNewTokens: Int
    /// A token that ends generation when produced (finish reason `stop`); it is delivered as the last token.
    public var stopToken: Int?
    /// Greedy by default.
    public var sampling: SamplingStrategy

    public init(
        id: RequestID = .unique(),
        promptTokens: [Int],
        maxNewTokens: Int = 20,
        stopToken: Int? = nil,
        sampling: SamplingStrategy = .greedy
    ) {
        self.id = id
        self.promptTokens = promptTokens
        self.maxNewTokens = maxNewTokens
        self.stopToken = stopToken
        self.sampling = sampling
    }
}
