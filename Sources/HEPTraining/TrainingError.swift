/// Failures of the training-data layer, each naming what is wrong and where.
public enum TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// An expression could not be parsed: the character offset and what was expected.
    case parse(expression: String, offset: Int, reason: String)
    /// An expression refers to a branch or column that does not exist.
    case unknownName(expression: String, name: String)
    /// An expression is well formed but cannot be evaluated (type or length mismatch).
    case evaluation(expression: String, reason: String)
    /// A params or specs file is invalid (unknown key, wrong type, ...).
    case configuration(file: String, reason: String)
    /// Input files disagree (branch types, specs from other files, ...).
    case inconsistent(String)

    public var description: String {
        switch self {
        case let .parse(e, offset, reason):
            return "cannot parse '\(e)' at character \(offset + 1): \(reason)\n  \(e)\n  \(String(repeating: " ", count: offset))^"
        case let .unknownName(e, name): return "unknown branch or column '\(name)' in '\(e)'"
        case let .evaluation(e, reason): return "cannot evaluate '\(e)': \(reason)"
        case let .configuration(file, reason): return "\(file): \(reason)"
        case let .inconsistent(m): return m
        }
    }
}
