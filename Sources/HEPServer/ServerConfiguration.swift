/// Settings of `hepml serve`.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Model repository folder.
    public var repository: String
    /// Bearer token required by write endpoints (upload, delete, load, unload, params). Without one, writes
    /// are allowed only when the server listens on loopback.
    public var token: String?
    /// Largest request body accepted by inference and upload endpoints, in bytes, before and after
    /// gzip/deflate decoding.
    public var maxBodySize: Int
    /// Largest request body accepted by metadata and control endpoints (repository index, load/unload,
    /// params, tag, delete), in bytes.
    public var maxControlBodySize: Int
    /// Memory that all requests in flight may hold together (bodies, decoded bodies, input tensors), in
    /// bytes; past it requests get 503 with `Retry-After`.
    public var maxInflightBytes: Int
    /// Threads decoding requests and running inference (off the network event loops).
    public var workerThreads: Int
    /// Requests of one model decoded or inferred at the same time; others wait their turn.
    public var modelConcurrency: Int
    /// Seconds a connection may stay idle (also mid-request, e.g. a stalled upload) before it is closed.
    public var requestTimeout: Double
    /// Server name in `GET /v2`.
    public var name: String
    /// TLS, tokens file and JWT validation (all off by default).
    public var security = SecuritySettings()
    /// Port of the KServe v2 / Triton gRPC service (nil: no gRPC; 0: any free port).
    public var grpcPort: Int?
    /// Requests of one model version that may wait for a run; past it requests get 503 / UNAVAILABLE
    /// (a model's `dynamic_batching { default_queue_policy { max_queue_size } }` overrides it).
    public var maxQueueSize = 1024
    /// Merge concurrent requests of every batching model (`max_batch_size` > 0), also those whose
    /// `config.pbtxt` declares no `dynamic_batching`.
    public var dynamicBatchingByDefault = false

    public init(host: String = "127.0.0.1", port: Int = 8083, repository: String = "models", token: String? = nil,
                maxBodySize: Int = 256 << 20, requestTimeout: Double = 60, name: String = "hepml",
                maxControlBodySize: Int = 64 << 10, maxInflightBytes: Int = 1 << 30,
                workerThreads: Int = 0, modelConcurrency: Int = 0) {
        self.host = host
        self.port = port
        self.repository = repository
        self.token = token
        self.maxBodySize = maxBodySize
        self.requestTimeout = requestTimeout
        self.name = name
        self.maxControlBodySize = maxControlBodySize
        self.maxInflightBytes = maxInflightBytes
        self.workerThreads = workerThreads > 0 ? workerThreads : Self.coreCount
        self.modelConcurrency = modelConcurrency > 0 ? modelConcurrency : self.workerThreads
    }

    /// Whether `host` only accepts local connections.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Body limit of the endpoint at `path`: `maxBodySize` for inference and uploads, `maxControlBodySize`
    /// for everything else.
    public func bodyLimit(for path: String) -> Int {
        let large = ["/infer", "/json", "/proto", "/image", "/upload"]
        return large.contains { path.hasSuffix($0) } ? maxBodySize : maxControlBodySize
    }

    static var coreCount: Int { max(2, sysconfCores()) }
}

#if canImport(Glibc)
import Glibc
private func sysconfCores() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
import Darwin
private func sysconfCores() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#endif
