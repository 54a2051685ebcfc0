/// A string compared and hashed by its UTF-8 bytes, as Prometheus compares names, rather than by Unicode canonical
/// equivalence as `String` is.
struct ByteString: Hashable, Sendable {
    var string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: ByteString, rhs: ByteString) -> Bool {
        utf8Equal(lhs.string, rhs.string)
    }

    func hash(into hasher: inout Hasher) {
        hashUTF8(string, into: &hasher)
    }
}

/// Runs `body` on a string's UTF-8 bytes, without copying native strings.
@inline(__always)
func withUTF8Bytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
    var copy = s
    return copy.withUTF8(body)
}

/// Compares two strings' UTF-8 bytes: negative, zero or positive as `a` sorts before, equal to or after `b`.
@inline(__always)
func utf8Compare(_ a: String, _ b: String) -> Int {
    withUTF8Bytes(a) { x in
        withUTF8Bytes(b) { y in
            let n = min(x.count, y.count)
            var i = 0
            while i < n {
                if x[i] != y[i] { return Int(x[i]) - Int(y[i]) }
                i += 1
            }
            return x.count - y.count
        }
    }
}

/// Whether two strings have the same UTF-8 bytes.
@inline(__always)
func utf8Equal(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && utf8Compare(a, b) == 0
}

/// Whether `a`'s UTF-8 bytes sort before `b`'s.
@inline(__always)
func utf8Less(_ a: String, _ b: String) -> Bool {
    utf8Compare(a, b) < 0
}

/// Feeds a string's UTF-8 bytes and length to `hasher`.
@inline(__always)
func hashUTF8(_ s: String, into hasher: inout Hasher) {
    withUTF8Bytes(s) { bytes in
        hasher.combine(bytes.count)
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
    }
}
