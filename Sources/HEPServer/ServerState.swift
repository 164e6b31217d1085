import HEPInference
import Hummingbird
import NIOPosix
import Synchronization

/// Everything the route handlers share.
final class ServerState: Sendable {
    let configuration: ServerConfiguration
    let repository: ModelRepository
    let metrics: ServerMetrics
    let status = ServerStatus()
    /// Loading, serving or draining (`/v2/health/ready`).
    let lifecycle = ServerLifecycle(.serving)
    /// The TFaaS "current" model, used by /json and /proto requests that name none.
    let defaultModel = Mutex<String?>(nil)
    /// Memory held by requests in flight.
    let budget: InflightBudget
    /// Threads for request decoding and inference, so neither runs on the event loops or the cooperative pool.
    let workers: NIOThreadPool
    /// Bounds concurrent request decoding per model.
    let modelGate: ConcurrencyLimiter
    /// Per model version: queueing, dynamic batching and concurrent runs (REST and gRPC inference).
    let schedulers: ModelSchedulers

    init(configuration: ServerConfiguration, repository: ModelRepository, metrics: ServerMetrics) {
        self.configuration = configuration
        self.repository = repository
        self.metrics = metrics
        budget = InflightBudget(capacity: configuration.maxInflightBytes)
        MemoryReturn.configure()
        workers = NIOThreadPool(numberOfThreads: configuration.workerThreads)
        workers.start()
        modelGate = ConcurrencyLimiter(limit: configuration.modelConcurrency)
        schedulers = ModelSchedulers(defaultInstances: configuration.modelConcurrency, defaultQueueSize: configuration.maxQueueSize,
                                     batchingByDefault: configuration.dynamicBatchingByDefault) { [workers] work in
            workers.submit { _ in work() }
        }
    }

    deinit { workers.shutdownGracefully { _ in } }

    func bodyLimit(for path: String) -> Int { configuration.bodyLimit(for: path) }

    /// The request body, refused with 413 above the endpoint's limit and counted against the in-flight budget
    /// (503 when it is used up).
    func body(_ request: Request) async throws -> ByteBuffer {
        let limit = bodyLimit(for: request.uri.path)
        let lease = BudgetLease.current
        func tooLarge() -> APIError { APIError(.contentTooLarge, "request body larger than the \(limit) bytes this endpoint accepts") }
        var reserved = 0
        var buffer = ByteBuffer()
        if let announced = request.headers[.contentLength].flatMap({ Int($0) }) {
            guard announced <= limit else { throw tooLarge() }
            try lease?.reserve(announced)
            reserved = announced
            buffer.reserveCapacity(announced)
        }
        for try await chunk in request.body {
            let size = buffer.readableBytes + chunk.readableBytes
            guard size <= limit else { throw tooLarge() }
            if size > reserved {
                try lease?.reserve(size - reserved)
                reserved = size
            }
            buffer.writeImmutableBuffer(chunk)
        }
        return buffer
    }

    /// Runs `work` on a worker thread, bounded per model when `model` is given.
    func offload<T: Sendable>(model: String? = nil, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard let model else { return try await workers.runIfActive(work) }
        return try await modelGate.run(model) { try await workers.runIfActive(work) }
    }

    /// Calls `read` with `body`'s bytes, its `Content-Encoding: gzip|deflate` undone (tritonclient's request
    /// compression) and capped at the endpoint's body limit while inflating. Call it on a worker thread.
    func withDecodedBody<T>(_ body: ByteBuffer, contentEncoding: String?, limit: Int, lease: BudgetLease?,
                            _ read: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard let enc = contentEncoding?.lowercased(), enc == "gzip" || enc == "deflate" else {
            return try body.withUnsafeReadableBytes(read)
        }
        let bytes = try body.withUnsafeReadableBytes { raw in
            try Gzip.decompress(raw, maxOutput: limit, zlibOrGzip: true) { try lease?.reserve($0) }
        }
        return try bytes.withUnsafeBytes(read)
    }

    func refreshLoadedGauge() {
        metrics.setLoadedModels(repository.index().filter { $0.state.state == "READY" }.count)
    }
}
