/// What a receiver kept of a request's headers (`include_metadata: true`), carried with the data so a later stage
/// can batch per tenant (`batch.metadata_keys`) or set headers from it (`headers_setter`'s `from_context`). Keys are
/// lowercase header names; empty when the receiver keeps nothing.
public struct ClientMetadata: Sendable, Hashable {
    /// Sorted by key.
    public private(set) var entries: [(key: String, values: [String])]

    public static let empty = ClientMetadata()

    public init() { entries = [] }

    /// From header pairs as received: names lowercased, values of a repeated header kept in order.
    public init(headers: some Sequence<(String, String)>) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers { merged[name.lowercased(), default: []].append(value) }
        entries = merged.sorted { $0.key < $1.key }.map { (key: $0.key, values: $0.value) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The values of `key` (any case); empty when absent.
    public subscript(key: String) -> [String] {
        let lowered = key.lowercased()
        return entries.first { $0.key == lowered }?.values ?? []
    }

    /// Only the `keys` (any case) that are present: what batching by those keys groups on.
    public func projected(onto keys: [String]) -> ClientMetadata {
        var out = ClientMetadata()
        let wanted = Set(keys.map { $0.lowercased() })
        out.entries = entries.filter { wanted.contains($0.key) }
        return out
    }

    public static func == (a: ClientMetadata, b: ClientMetadata) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.values == $1.values }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.values)
        }
    }
}
