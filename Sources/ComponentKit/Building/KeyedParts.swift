public import GatewayCore
internal import Synchronization

/// One instance per key (a batcher or a sender per tenant), made on first use and run as a part of `parts`; at
/// most `limit` keys, beyond which data of a new key is refused permanently (a client cannot grow it without
/// bound by inventing header values).
public final class KeyedParts<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let instances = Mutex<[Key: Value]>([:])
    private let limit: Int
    private let refusal: String
    private let parts: DynamicParts

    /// `refusal`: the message a refused new key gets.
    public init(limit: Int, refusal: String, parts: DynamicParts) {
        self.limit = limit
        self.refusal = refusal
        self.parts = parts
    }

    /// The instance for `key`; a new one is made by `make`, whose part (if any) is added to `parts` outside the lock.
    public func instance(for key: Key, make: () -> (Value, Part?)) throws(PipelineError) -> Value {
        let (value, part) = try instances.withLock { (all) throws(PipelineError) -> (Value, Part?) in
            if let existing = all[key] { return (existing, nil) }
            guard all.count < limit else { throw PipelineError.permanent(refusal) }
            let (made, part) = make()
            all[key] = made
            return (made, part)
        }
        if let part { parts.add(part) }
        return value
    }
}
