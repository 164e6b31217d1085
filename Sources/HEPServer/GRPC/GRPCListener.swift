import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// The gRPC side of `hepml serve`: `inference.GRPCInferenceService` on its own port over HTTP/2 (TLS when the
/// server has a certificate), requests up to the server's body limit (also after gzip/deflate), run as a ServiceLifecycle service next
/// to the HTTP application.
public struct GRPCListener: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let port: Int
    /// Whether failing to listen stops the server; otherwise it is logged and HTTP goes on alone.
    let required: Bool
    let logger: Logger
    let onRunning: @Sendable (Int) async -> Void

    init(service: InferenceService, configuration c: ServerConfiguration, port: Int, required: Bool, logger: Logger,
         onRunning: @escaping @Sendable (Int) async -> Void) {
        let security: HTTP2ServerTransport.Posix.TransportSecurity
        if let cert = c.security.tlsCertificate, let key = c.security.tlsKey {
            security = .tls(certificateChain: [.file(path: cert, format: .pem)], privateKey: .file(path: key, format: .pem))
        } else {
            security = .plaintext
        }
        let host = c.host == "localhost" ? "127.0.0.1" : c.host
        let transport = HTTP2ServerTransport.Posix(
            address: host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port),
            transportSecurity: security,
            config: .defaults {
                $0.rpc.maxRequestPayloadSize = c.maxBodySize
                $0.compression.enabledAlgorithms = .all
            })
        server = GRPCServer(transport: transport, services: [service])
        self.port = port
        self.required = required
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await server.serve() }
                    if let address = try? await server.listeningAddress {
                        let bound = address.ipv4?.port ?? address.ipv6?.port ?? 0
                        logger.info("gRPC (KServe v2 / Triton) listening on port \(bound)")
                        await onRunning(bound)
                    }
                }
            } onGracefulShutdown: {
                server.beginGracefulShutdown()
            }
        } catch where !Task.isCancelled {
            logger.error("gRPC cannot listen on port \(port): \(error)")
            if required { throw error }
            logger.error("gRPC is off; start with --grpc-port P to choose another port")
            try? await gracefulShutdown()
        }
    }
}
