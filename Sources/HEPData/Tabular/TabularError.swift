/// A malformed or unsupported CSV, JSON-lines or Parquet input: the file, where in it (line and column, or
/// column and byte offset) and what is wrong.
public struct TabularError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var location: String
    public var reason: String

    public init(file: String, location: String, reason: String) {
        self.file = file
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(file): \(location): \(reason)" }
}
