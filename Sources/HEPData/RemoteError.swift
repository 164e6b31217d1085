/// Failures of remote byte sources, naming the URL.
public enum RemoteError: Error, CustomStringConvertible, Sendable {
    case invalidURL(String, reason: String)
    case connection(url: String, reason: String)
    case server(url: String, code: Int, message: String)
    case redirect(url: String, reason: String)
    case protocolViolation(url: String, reason: String)
    case notFound(url: String)

    public var description: String {
        switch self {
        case let .invalidURL(u, r): return "\(u): invalid URL: \(r)"
        case let .connection(u, r): return "\(u): connection failed: \(r)"
        case let .server(u, c, m): return "\(u): server error \(c): \(m)"
        case let .redirect(u, r): return "\(u): redirect failed: \(r)"
        case let .protocolViolation(u, r): return "\(u): unexpected server answer: \(r)"
        case let .notFound(u): return "\(u): no such file"
        }
    }
}
