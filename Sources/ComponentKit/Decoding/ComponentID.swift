/// A component's identity as the Collector writes it: `type` or `type/name` (`otlp`, `otlp/tempo`).
public struct ComponentID: Hashable, Sendable, CustomStringConvertible {
    /// The component type, which selects the implementation (`otlp`, `batch`, `health_check`).
    public let type: String
    /// The optional instance name after the first `/`; nil when absent.
    public let name: String?

    /// Creates an ID; an empty `name` is the same as none.
    public init(type: String, name: String? = nil) {
        self.type = type
        self.name = name?.isEmpty == true ? nil : name
    }

    /// Parses `type` or `type/name`; nil when the text is not a valid ID.
    public init?(parsing text: String) {
        guard case .success(let id) = Self.parse(text) else { return nil }
        self = id
    }

    /// `type` or `type/name`.
    public var description: String {
        name.map { "\(type)/\($0)" } ?? type
    }

    /// The Collector's rules: the type starts with a letter and has letters, digits and `_`, at most 63
    /// characters; the name after the first `/` is non-empty and has no spaces or control characters.
    /// `subject` names what is parsed in problem messages ("component ID", "pipeline ID").
    public static func parse(_ text: String, subject: String = "component ID") -> Result<ComponentID, ParseProblem> {
        func problem(_ reason: String) -> Result<ComponentID, ParseProblem> {
            .failure(ParseProblem(message: "invalid \(subject) \(quoted(text)): \(reason)"))
        }
        let type: Substring
        var name: Substring?
        if let slash = text.firstIndex(of: "/") {
            type = text[..<slash]
            name = text[text.index(after: slash)...]
        } else {
            type = Substring(text)
        }
        guard !type.isEmpty else {
            return problem("the type before \"/\" must not be empty")
        }
        guard type.count <= 63, type.unicodeScalars.first!.isASCIILetter,
            type.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" })
        else {
            return problem("the type must start with a letter and contain only letters, digits and _")
        }
        if let name {
            guard !name.isEmpty else {
                return problem("the name after \"/\" must not be empty")
            }
            guard name.count <= 1024,
                name.unicodeScalars.allSatisfy({
                    !$0.properties.isWhitespace && $0.properties.generalCategory != .control
                })
            else {
                return problem("the name must not contain spaces or control characters")
            }
        }
        return .success(ComponentID(type: String(type), name: name.map(String.init)))
    }

    /// Why a text is not an ID, as a problem message.
    public struct ParseProblem: Error {
        public let message: String
    }
}
