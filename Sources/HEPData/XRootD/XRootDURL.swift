/// `root://[user@]host[:port]//path[?opaque]`.
public struct XRootDURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var host: String
    public var port: Int
    /// Absolute path on the server.
    public var path: String
    public var opaque: String?

    public init(_ text: String) throws {
        guard text.hasPrefix("root://") || text.hasPrefix("xroot://") else {
            throw RemoteError.invalidURL(text, reason: "expected root://host[:port]//path")
        }
        var rest = Substring(text.drop { $0 != "/" }.dropFirst(2))
        guard let slash = rest.firstIndex(of: "/") else { throw RemoteError.invalidURL(text, reason: "no path after the host") }
        var authority = rest[..<slash]
        rest = rest[slash...]
        if let at = authority.lastIndex(of: "@") {
            user = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        } else {
            user = "hepml"
        }
        if let colon = authority.lastIndex(of: ":"), let p = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            port = p
        } else {
            host = String(authority)
            port = 1094
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw RemoteError.invalidURL(text, reason: "bad host or port") }
        while rest.hasPrefix("//") { rest = rest.dropFirst() }
        if let q = rest.firstIndex(of: "?") {
            opaque = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        path = String(rest)
        guard path.hasPrefix("/"), path.count > 1 else { throw RemoteError.invalidURL(text, reason: "empty path") }
    }

    public var description: String { "root://\(host):\(port)/\(path)" + (opaque.map { "?\($0)" } ?? "") }
}
