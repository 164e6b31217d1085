/// Settings of `hepml serve`.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Model repository folder.
    public var repository: String
    /// Bearer token required by write endpoints (upload, delete, load, unload, params). Without one, writes
    /// are allowed only when the server listens on loopback.
    public var token: String?
    /// Largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// Seconds a connection may stay idle (also mid-request, e.g. a stalled upload) before it is closed.
    public var requestTimeout: Double
    /// Server name in `GET /v2`.
    public var name: String
    /// TLS, tokens file and JWT validation (all off by default).
    public var security = SecuritySettings()

    public init(host: String = "127.0.0.1", port: Int = 8083, repository: String = "models", token: String? = nil,
                maxBodySize: Int = 256 << 20, requestTimeout: Double = 60, name: String = "hepml") {
        self.host = host
        self.port = port
        self.repository = repository
        self.token = token
        self.maxBodySize = maxBodySize
        self.requestTimeout = requestTimeout
        self.name = name
    }

    /// Whether `host` only accepts local connections.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
