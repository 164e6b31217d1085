/// Failures of model loading and inference, each mapped to a KServe/Triton status class.
public enum InferenceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The request does not fit the model (wrong name, type, shape, malformed data): 400.
    case invalidInput(String)
    /// No such model, version or tag: 404.
    case notFound(String)
    /// The model exists but cannot serve (failed to load, backend missing): 503.
    case unavailable(String)
    /// A format or feature not implemented: 501.
    case unsupported(String)
    /// The backend failed while running: 500.
    case backend(String)

    public var description: String {
        switch self {
        case let .invalidInput(m), let .notFound(m), let .unavailable(m), let .unsupported(m), let .backend(m): return m
        }
    }

    /// The HTTP status Triton uses for this class of error.
    public var httpStatus: Int {
        switch self {
        case .invalidInput: return 400
        case .notFound: return 404
        case .unavailable: return 503
        case .unsupported: return 501
        case .backend: return 500
        }
    }
}
