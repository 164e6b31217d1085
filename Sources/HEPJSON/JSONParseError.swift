/// A document that is not RFC 8259 JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Offset of the offending byte from the start of the document.
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// Valid JSON whose content does not make the expected request (missing member, wrong type, value count).
public struct JSONRequestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
