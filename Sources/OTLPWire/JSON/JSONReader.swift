/// A single-pass pull reader over JSON bytes: callers walk objects and arrays and read typed values straight
/// into their model, so no tree of the document is ever built.
///
/// Syntax is checked strictly (RFC 8259): the reader rejects what it cannot read rather than guessing.
/// Nesting is limited to `maxDepth` so that hostile input cannot exhaust the stack of the recursive callers.
struct JSONReader {
    static let maxDepth = 64

    let base: UnsafePointer<UInt8>
    let count: Int
    /// The next unread byte.
    var position = 0
    /// Open objects and arrays.
    var depth = 0
    /// The known field whose value is being read, named in errors; nil between members and inside arrays.
    var currentKey: StaticString?

    // The last key read: a range of the input, or the unescaped text when it held escapes.
    var keyStart = 0
    var keyCount = 0
    var escapedKey: String?

    /// Reused for strings with escapes.
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    // MARK: Bytes

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The next byte that is not whitespace, without consuming it; nil at the end of input.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < count ? base[position] : nil
    }

    @inline(__always)
    mutating func peekOrFail() throws(JSONFailure) -> UInt8 {
        guard let c = peek() else { throw unexpectedEnd() }
        return c
    }

    // MARK: Errors

    /// A value of the wrong kind for the current field.
    func typeError(_ message: String) -> JSONFailure { JSONFailure(message, key: currentKey) }

    /// A value that does not fit the current field: a type error when a JSON value starts here, else the
    /// syntax error it is (a stray `]` after a trailing comma is not "a value of the wrong type").
    func mismatch(_ message: String) -> JSONFailure {
        guard position < count else { return unexpectedEnd() }
        switch base[position] {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "t"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return typeError(message)
        default:
            return unexpectedByte(expected: "a value")
        }
    }

    func syntaxError(_ detail: String, at offset: Int) -> JSONFailure {
        JSONFailure("invalid JSON at byte \(offset): \(detail)", key: currentKey)
    }

    func syntaxError(_ detail: String) -> JSONFailure { syntaxError(detail, at: position) }

    func unexpectedEnd() -> JSONFailure { syntaxError("unexpected end of input", at: count) }

    /// Names the byte found where something else was required.
    func unexpectedByte(expected: String) -> JSONFailure {
        guard position < count else { return unexpectedEnd() }
        let c = base[position]
        let found = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x" + String(c, radix: 16)
        return syntaxError("expected \(expected), found \(found)")
    }

    /// Succeeds when only whitespace is left.
    mutating func expectEnd() throws(JSONFailure) {
        currentKey = nil
        if peek() != nil { throw syntaxError("unexpected data after the top-level value") }
    }

    // MARK: Literals

    /// Consumes `null` if it is next.
    @inline(__always)
    mutating func consumeNull() throws(JSONFailure) -> Bool {
        guard try peekOrFail() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ text: StaticString) throws(JSONFailure) {
        let n = text.utf8CodeUnitCount
        let matches = text.withUTF8Buffer { expected in
            guard count - position >= n else { return false }
            for i in 0..<n where base[position + i] != expected[i] { return false }
            return true
        }
        guard matches else { throw syntaxError("invalid literal, expected '\(text)'") }
        position += n
    }

    // MARK: Objects and arrays

    /// Where a walk over an object's members or an array's elements stands.
    struct Cursor {
        fileprivate enum State { case done, first, subsequent }
        fileprivate var state: State
    }

    @inline(__always)
    private mutating func open() throws(JSONFailure) {
        depth += 1
        if depth > Self.maxDepth { throw syntaxError("nesting deeper than \(Self.maxDepth) levels") }
        position += 1
    }

    /// Consumes `{`; `null` reads as an object with no members.
    mutating func beginObject() throws(JSONFailure) -> Cursor {
        switch try peekOrFail() {
        case UInt8(ascii: "{"):
            try open()
            return Cursor(state: .first)
        case UInt8(ascii: "n"):
            try literal("null")
            return Cursor(state: .done)
        default:
            throw mismatch("expected an object")
        }
    }

    /// Consumes `[`; `null` reads as an empty array.
    mutating func beginArray() throws(JSONFailure) -> Cursor {
        switch try peekOrFail() {
        case UInt8(ascii: "["):
            try open()
            return Cursor(state: .first)
        case UInt8(ascii: "n"):
            try literal("null")
            return Cursor(state: .done)
        default:
            throw mismatch("expected an array")
        }
    }

    /// Reads the next member's key and colon, leaving the reader at its value; false once the closing brace is
    /// consumed. Match the key with `key(_:)` and then read or `skipUnknownValue()` the value.
    ///
    /// Members whose value is `null` are consumed here: in protobuf JSON `null` means the field's default, and
    /// leaving the field unset gives exactly that (and keeps an optional or a oneof absent).
    mutating func nextKey(_ cursor: inout Cursor) throws(JSONFailure) -> Bool {
        while true {
            currentKey = nil
            var c: UInt8
            switch cursor.state {
            case .done:
                return false
            case .first:
                c = try peekOrFail()
                if c == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                    cursor.state = .done
                    return false
                }
                guard c == UInt8(ascii: "\"") else { throw unexpectedByte(expected: "a string key or '}'") }
                cursor.state = .subsequent
            case .subsequent:
                c = try peekOrFail()
                if c == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                    cursor.state = .done
                    return false
                }
                guard c == UInt8(ascii: ",") else { throw unexpectedByte(expected: "',' or '}'") }
                position += 1
                c = try peekOrFail()
                guard c == UInt8(ascii: "\"") else { throw unexpectedByte(expected: "a string key") }
            }
            switch try scanStringToken() {
            case .raw(let start, let end):
                keyStart = start
                keyCount = end - start
                escapedKey = nil
            case .escaped(let text):
                escapedKey = text
                keyCount = text.utf8.count
            }
            guard try peekOrFail() == UInt8(ascii: ":") else { throw unexpectedByte(expected: "':'") }
            position += 1
            if try peekOrFail() == UInt8(ascii: "n") {
                try literal("null")
                continue
            }
            return true
        }
    }

    /// Moves to the next element; false once the closing bracket is consumed.
    mutating func nextElement(_ cursor: inout Cursor) throws(JSONFailure) -> Bool {
        switch cursor.state {
        case .done:
            return false
        case .first:
            if try peekOrFail() == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                cursor.state = .done
                return false
            }
            cursor.state = .subsequent
            return true
        case .subsequent:
            let c = try peekOrFail()
            if c == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                cursor.state = .done
                return false
            }
            guard c == UInt8(ascii: ",") else { throw unexpectedByte(expected: "',' or ']'") }
            position += 1
            return true
        }
    }

    // MARK: Keys

    /// True when the last key is `name`; it then becomes the field that errors name.
    @inline(__always)
    mutating func key(_ name: StaticString) -> Bool {
        guard keyIs(name) else { return false }
        currentKey = name
        return true
    }

    /// True when the last key is the JSON name or the proto field name (protobuf JSON accepts both).
    @inline(__always)
    mutating func key(_ jsonName: StaticString, _ protoName: StaticString) -> Bool {
        guard keyIs(jsonName) || keyIs(protoName) else { return false }
        currentKey = jsonName
        return true
    }

    @inline(__always)
    private func keyIs(_ name: StaticString) -> Bool {
        guard name.utf8CodeUnitCount == keyCount else { return false }
        if let escapedKey {
            return name.withUTF8Buffer { escapedKey.utf8.elementsEqual($0) }
        }
        return name.withUTF8Buffer { expected in
            let sent = UnsafeRawPointer(base + keyStart)
            let wanted = UnsafeRawPointer(expected.baseAddress!)
            var i = 0
            while keyCount - i >= 8 {
                let a = sent.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if a != wanted.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            while i < keyCount {
                if base[keyStart + i] != expected[i] { return false }
                i += 1
            }
            return true
        }
    }

    // MARK: Containers with error paths

    /// Reads the current field's object with `body`, adding the field to the path of any error.
    @inline(__always)
    mutating func nested<T>(_ body: (inout JSONReader) throws(JSONFailure) -> T) throws(JSONFailure) -> T {
        let key = currentKey
        currentKey = nil
        do throws(JSONFailure) {
            let value = try body(&self)
            currentKey = nil
            return value
        } catch {
            var failure = error
            if let key { failure.reversedPath.append(.key(key)) }
            throw failure
        }
    }

    /// Reads the current field's array, each element with `element`; errors name the field and the index.
    @inline(__always)
    mutating func array<T>(
        _ element: (inout JSONReader) throws(JSONFailure) -> T
    ) throws(JSONFailure) -> [T] {
        var out: [T] = []
        try forEach { (r) throws(JSONFailure) in out.append(try element(&r)) }
        return out
    }

    /// Walks the current field's array, calling `body` with the reader at each element.
    @inline(__always)
    mutating func forEach(_ body: (inout JSONReader) throws(JSONFailure) -> Void) throws(JSONFailure) {
        let key = currentKey
        currentKey = nil
        var index = 0
        do throws(JSONFailure) {
            var cursor = try beginArray()
            while try nextElement(&cursor) {
                do throws(JSONFailure) {
                    try body(&self)
                } catch {
                    var failure = error
                    failure.reversedPath.append(.index(index))
                    throw failure
                }
                currentKey = nil
                index += 1
            }
        } catch {
            var failure = error
            if let key { failure.reversedPath.append(.key(key)) }
            throw failure
        }
    }

    // MARK: Skipping

    /// Skips the value of a field we do not know, checking its syntax.
    mutating func skipUnknownValue() throws(JSONFailure) {
        // Keys inside the value overwrite the last key, so keep this one for the error path.
        let (start, count, escaped) = (keyStart, keyCount, escapedKey)
        do throws(JSONFailure) {
            try skipValue()
        } catch {
            var failure = error
            let name =
                escaped ?? String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
            failure.reversedPath.append(.unknownKey(name))
            throw failure
        }
    }

    /// Skips one value of any kind and nesting, checking its syntax.
    mutating func skipValue() throws(JSONFailure) {
        switch try peekOrFail() {
        case UInt8(ascii: "\""):
            _ = try skipString()
        case UInt8(ascii: "{"):
            var cursor = try beginObject()
            while try nextKey(&cursor) { try skipValue() }
        case UInt8(ascii: "["):
            var cursor = try beginArray()
            while try nextElement(&cursor) { try skipValue() }
        case UInt8(ascii: "t"):
            try literal("true")
        case UInt8(ascii: "f"):
            try literal("false")
        case UInt8(ascii: "n"):
            try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumberToken()
        default:
            throw unexpectedByte(expected: "a value")
        }
    }

    /// Skips a string, checking its escapes but not decoding it.
    private mutating func skipString() throws(JSONFailure) {
        let quote = position
        var i = position + 1
        while i < count {
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                position = i + 1
                return
            }
            if c == UInt8(ascii: "\\") {
                // Decoding validates every kind of escape; strings with escapes are rare in OTLP.
                position = quote
                _ = try scanStringToken()
                return
            }
            if c < 0x20 { throw syntaxError("control character in string", at: i) }
            i += 1
        }
        throw syntaxError("unterminated string", at: quote)
    }
}
