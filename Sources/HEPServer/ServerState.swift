import HEPInference
import Hummingbird
import Synchronization

/// Everything the route handlers share.
final class ServerState: Sendable {
    let configuration: ServerConfiguration
    let repository: ModelRepository
    let metrics: ServerMetrics
    let status = ServerStatus()
    /// The TFaaS "current" model, used by /json and /proto requests that name none.
    let defaultModel = Mutex<String?>(nil)

    init(configuration: ServerConfiguration, repository: ModelRepository, metrics: ServerMetrics) {
        self.configuration = configuration
        self.repository = repository
        self.metrics = metrics
    }

    /// The request body, refused with 413 above the configured limit.
    func body(_ request: Request) async throws -> ByteBuffer {
        var r = request
        do {
            return try await r.collectBody(upTo: configuration.maxBodySize)
        } catch {
            throw APIError(.contentTooLarge, "request body larger than \(configuration.maxBodySize) bytes")
        }
    }

    /// The body with a `Content-Encoding: gzip|deflate` undone (tritonclient's request compression).
    func decodedBody(_ request: Request) async throws -> ByteBuffer {
        let body = try await self.body(request)
        guard let enc = request.headers[.contentEncoding]?.lowercased(), enc == "gzip" || enc == "deflate" else { return body }
        return ByteBuffer(bytes: try Gzip.decompress(Array(body.readableBytesView), maxOutput: configuration.maxBodySize, zlibOrGzip: true))
    }

    func refreshLoadedGauge() {
        metrics.setLoadedModels(repository.index().filter { $0.state.state == "READY" }.count)
    }
}
