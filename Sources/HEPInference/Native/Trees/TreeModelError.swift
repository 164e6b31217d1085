/// Why a tree-ensemble model file could not be loaded. `file` is the name shown to users (never a full path).
public struct TreeModelError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file is not well-formed for its format (syntax, missing fields, inconsistent arrays, bad links).
        case malformed
        /// Well-formed, but uses a feature hepml does not evaluate (e.g. LightGBM linear trees).
        case unsupported
    }

    public var kind: Kind
    public var format: String
    public var message: String

    public init(_ kind: Kind, format: String, _ message: String) {
        self.kind = kind
        self.format = format
        self.message = message
    }

    static func malformed(_ format: String, _ message: String) -> TreeModelError { .init(.malformed, format: format, message) }
    static func unsupported(_ format: String, _ message: String) -> TreeModelError { .init(.unsupported, format: format, message) }

    public var description: String { "\(format) model: \(message)" }
}
