/// Why a request body could not be decoded into the model; the message goes back to the client.
public struct OTLPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
