/// Why an lwtnn JSON file could not be loaded: the place in the file (layer, node, input) and the reason.
public enum LWTNNLoadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The bytes are not a JSON document (truncated, not UTF-8, bad syntax).
    case malformedJSON(String)
    /// A field is missing, has the wrong type or contradicts another part of the file.
    case invalid(context: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedJSON(reason): return "lwtnn: not a valid JSON document (\(reason))"
        case let .invalid(context, reason): return "lwtnn: \(context): \(reason)"
        }
    }
}
