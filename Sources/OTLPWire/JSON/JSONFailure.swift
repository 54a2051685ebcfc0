/// A decoding failure while its field path is still being collected.
///
/// The path is filled in as the error unwinds (innermost first), so the happy path never builds it; the public
/// `OTLPDecodingError` is made once at the top.
struct JSONFailure: Error {
    enum PathElement {
        /// A field we know, by its lowerCamelCase JSON name.
        case key(StaticString)
        /// A field we skipped, by the name the client sent.
        case unknownKey(String)
        case index(Int)
    }

    /// Innermost element first.
    var reversedPath: [PathElement]
    var message: String

    init(_ message: String, key: StaticString?) {
        self.message = message
        if let key { reversedPath = [.key(key)] } else { reversedPath = [] }
    }

    /// `resourceSpans[0].scopeSpans[0].spans[2].traceId: expected 32 hex digits`.
    var rendered: String {
        var path = ""
        for element in reversedPath.reversed() {
            switch element {
            case .key(let key):
                if !path.isEmpty { path += "." }
                path += key.description
            case .unknownKey(let key):
                if !path.isEmpty { path += "." }
                path += key
            case .index(let index):
                path += "[\(index)]"
            }
        }
        return path.isEmpty ? message : path + ": " + message
    }
}

extension OTLPDecodingError {
    init(_ failure: JSONFailure) { self.init(failure.rendered) }
}
