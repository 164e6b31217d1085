/// Failures of hepml's native graph engine: loading (bad file, unsupported op, shape conflict) and running.
public enum NativeEngineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The model file cannot be decoded (truncated protobuf, missing field, bad constant).
    case malformedModel(String)
    /// An operation the engine does not implement: its op type and the node that uses it.
    case unsupportedOp(op: String, node: String)
    /// An attribute or operand the op cannot take (bad padding, unsupported data format, wrong rank).
    case invalidNode(node: String, reason: String)
    /// Shapes that do not fit together (found at load-time shape inference or for a request).
    case shapeMismatch(node: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedModel(m): return "malformed model: \(m)"
        case let .unsupportedOp(op, node): return "unsupported op '\(op)' (node '\(node)')"
        case let .invalidNode(node, reason): return "node '\(node)': \(reason)"
        case let .shapeMismatch(node, reason): return "node '\(node)': shape mismatch: \(reason)"
        }
    }
}
