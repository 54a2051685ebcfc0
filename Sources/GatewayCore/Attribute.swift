/// One key and its value, as OTLP's `KeyValue`.
public struct Attribute: Sendable, Hashable {
    public var key: String
    public var value: AnyValue

    public init(key: String, value: AnyValue) {
        self.key = key
        self.value = value
    }
}

/// Attributes kept in canonical order (sorted by key, each key once) so that equal sets compare and hash equal
/// however a client ordered them; series identity and batching by resource rely on that.
public struct Attributes: Sendable, Hashable, RandomAccessCollection {
    public private(set) var storage: [Attribute]

    public init() { storage = [] }

    /// Canonicalises: sorts by key and keeps the first occurrence of a duplicated key (OTLP requires unique keys;
    /// the first is what most SDKs' lookups return).
    public init(_ attributes: [Attribute]) {
        var sorted = attributes
        if !Self.isStrictlySorted(sorted) {
            // A stable sort keeps the first of duplicates first.
            sorted = sorted.enumerated().sorted { a, b in
                a.element.key == b.element.key ? a.offset < b.offset : a.element.key < b.element.key
            }.map(\.element)
            var deduplicated: [Attribute] = []
            deduplicated.reserveCapacity(sorted.count)
            for attribute in sorted where deduplicated.last?.key != attribute.key {
                deduplicated.append(attribute)
            }
            sorted = deduplicated
        }
        storage = sorted
    }

    private static func isStrictlySorted(_ a: [Attribute]) -> Bool {
        var i = 1
        while i < a.count {
            if !(a[i - 1].key < a[i].key) { return false }
            i += 1
        }
        return true
    }

    public var startIndex: Int { storage.startIndex }
    public var endIndex: Int { storage.endIndex }
    public subscript(position: Int) -> Attribute { storage[position] }

    /// The value for `key`, by binary search.
    public subscript(key: String) -> AnyValue? {
        var low = 0
        var high = storage.count
        while low < high {
            let mid = (low + high) / 2
            if storage[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low < storage.count && storage[low].key == key ? storage[low].value : nil
    }
}

extension Attributes {
    /// Sets `key` to `value`, in its sorted place.
    public mutating func set(_ key: String, _ value: AnyValue) {
        let index = insertionIndex(of: key)
        if index < storage.count, storage[index].key == key {
            storage[index].value = value
        } else {
            storage.insert(Attribute(key: key, value: value), at: index)
        }
    }

    /// Removes `key`; its value, nil when it was absent.
    @discardableResult
    public mutating func remove(_ key: String) -> AnyValue? {
        let index = insertionIndex(of: key)
        guard index < storage.count, storage[index].key == key else { return nil }
        return storage.remove(at: index).value
    }

    /// Removes every attribute whose key satisfies `predicate`.
    public mutating func removeAll(where predicate: (String) -> Bool) {
        storage.removeAll { predicate($0.key) }
    }

    private func insertionIndex(of key: String) -> Int {
        var low = 0
        var high = storage.count
        while low < high {
            let mid = (low + high) / 2
            if storage[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension Attributes: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, AnyValue)...) {
        self.init(elements.map { Attribute(key: $0.0, value: $0.1) })
    }
}
