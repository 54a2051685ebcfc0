public import GatewayCore

/// Finds a point's series without building its labels: a point with the same family, the same resource and scope
/// and the same attributes always gets the same labels, so the series index found the first time is reused. Labels
/// are built (and hashed, and compared) only for a point not seen before.
///
/// Keys compare attributes by their bytes, as labels do (Swift's `String` equality would merge canonically
/// equivalent spellings that Prometheus keeps apart). Points with array, key-value list or bytes values are not
/// cached. The cache forgets everything when series move (`expire`) and when it grows past its bound.
struct PointCache {
    struct ContextKey: Hashable {
        var resource: Resource
        var scope: InstrumentationScope
    }

    struct PointKey: Hashable {
        var family: String
        var context: Int
        var attributes: Attributes

        static func == (a: PointKey, b: PointKey) -> Bool {
            guard a.context == b.context, a.attributes.count == b.attributes.count,
                Self.bytesEqual(a.family, b.family)
            else { return false }
            for (x, y) in zip(a.attributes, b.attributes) {
                guard Self.bytesEqual(x.key, y.key) else { return false }
                switch (x.value, y.value) {
                case (.string(let p), .string(let q)): guard Self.bytesEqual(p, q) else { return false }
                case (.int(let p), .int(let q)): guard p == q else { return false }
                case (.bool(let p), .bool(let q)): guard p == q else { return false }
                case (.double(let p), .double(let q)): guard p.bitPattern == q.bitPattern else { return false }
                case (.empty, .empty): break
                default: return false
                }
            }
            return true
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(context)
            Self.hashBytes(family, &hasher)
            for attribute in attributes {
                Self.hashBytes(attribute.key, &hasher)
                switch attribute.value {
                case .string(let s):
                    hasher.combine(1 as UInt8)
                    Self.hashBytes(s, &hasher)
                case .int(let i): hasher.combine(i)
                case .bool(let b): hasher.combine(b)
                case .double(let d): hasher.combine(d.bitPattern)
                default: hasher.combine(0 as UInt8)
                }
            }
        }

        static func bytesEqual(_ a: String, _ b: String) -> Bool {
            var a = a
            var b = b
            return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && x.elementsEqual(y) } }
        }

        static func hashBytes(_ s: String, _ hasher: inout Hasher) {
            var s = s
            s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(0xFF as UInt8)
        }

        /// Whether the point can be cached: only scalar and string values.
        static func cacheable(_ attributes: Attributes) -> Bool {
            for attribute in attributes {
                switch attribute.value {
                case .string, .int, .bool, .double, .empty: continue
                default: return false
                }
            }
            return true
        }
    }

    private var contexts: [ContextKey: Int] = [:]
    private var points: [PointKey: Int] = [:]

    /// The id of a resource and scope pair.
    mutating func context(_ resource: Resource, _ scope: InstrumentationScope) -> Int {
        let key = ContextKey(resource: resource, scope: scope)
        if let id = contexts[key] { return id }
        // Bounded: many distinct resources (a client sending a new one per request) reset the cache.
        if contexts.count >= 10_000 { forget() }
        let id = contexts.count
        contexts[key] = id
        return id
    }

    func series(_ key: PointKey) -> Int? { points[key] }

    /// Remembers the series of a point; `bound` (a multiple of the series count) keeps the cache from growing
    /// with points that spell the same labels many ways.
    mutating func remember(_ key: PointKey, series: Int, bound: Int) {
        if points.count >= bound { points.removeAll(keepingCapacity: true) }
        points[key] = series
    }

    /// Forgets every point (series moved) and every context.
    mutating func forget() {
        points.removeAll()
        contexts.removeAll()
    }

    /// Forgets the points only (series moved; context ids stay valid).
    mutating func forgetPoints() { points.removeAll() }
}
