import ArgumentParser
import HEPInference
import HEPServer
import Hummingbird
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// `hepml serve`: the model server (TFaaS API + KServe v2 REST) over a model repository.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model repository over the TFaaS API and KServe v2 / Triton REST and gRPC.")

    @Option(name: .long, help: "Model repository folder (Triton layout, numeric versions, or TFaaS params.json folders).")
    var repository: String = "models"

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port: Int = 8083

    @Option(name: .long, help: "Port of the KServe v2 / Triton gRPC service (default 8001 as Triton, where a busy port only turns gRPC off; -1: no gRPC).")
    var grpcPort: Int?

    @Flag(name: .long, help: "Merge concurrent requests of every model with max_batch_size > 0, also without a dynamic_batching block in its config.pbtxt.")
    var dynamicBatching = false

    @Option(name: .long, help: "Requests of one model version that may wait for a run; more get 503 / UNAVAILABLE (config.pbtxt's default_queue_policy.max_queue_size overrides it).")
    var maxQueueSize: Int = 1024

    @Option(name: .long, help: "Seconds between scans of the repository folder for models that other replicas sharing it uploaded, deleted or re-tagged (0: no scans).")
    var pollInterval: Double = 5

    @Option(name: .long, help: "Seconds SIGTERM may take to finish the requests in flight before the process stops.")
    var drainTimeout: Double = 30

    @Option(name: .long, help: "Seconds between SIGTERM (readiness turns 503) and closing the listener, for load balancers to take the replica out.")
    var drainDelay: Double = 0

    @Option(name: .long, help: "Bearer token required by write endpoints (default: $HEPML_TOKEN).")
    var token: String?

    @Option(name: .long, help: "PEM certificate chain: serve HTTPS only (with --tls-key).")
    var tlsCert: String?

    @Option(name: .long, help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(name: .long, help: "File of hashed bearer tokens with scopes (read, infer, write, admin) and optional model lists; every endpoint but health then needs a token.")
    var tokens: String?

    @Option(name: .long, help: "JWKS file of keys that sign accepted JWT bearer tokens (with --jwt-issuer and --jwt-audience).")
    var jwks: String?

    @Option(name: .long, help: "Required 'iss' of JWT bearer tokens.")
    var jwtIssuer: String?

    @Option(name: .long, help: "Required 'aud' of JWT bearer tokens.")
    var jwtAudience: String?

    @Option(name: .long, help: "Largest request body of inference and upload endpoints in MiB, also after gzip/deflate decoding (metadata and control endpoints accept 64 KiB).")
    var maxBodyMb: Int = 256

    @Option(name: .long, help: "Memory all requests in flight may hold together (bodies, decoded bodies, input tensors) in MiB; past it requests get 503 with Retry-After.")
    var maxInflightMb: Int = 1024

    @Option(name: .long, help: "Worker threads decoding requests and running inference (default: one per core).")
    var workerThreads: Int = 0

    @Option(name: .long, help: "Requests of one model decoded or run at the same time (default: --worker-threads).")
    var modelConcurrency: Int = 0

    @Option(name: .long, help: "Seconds a connection may stay idle before it is closed.")
    var timeout: Double = 60

    @Option(name: .long, help: "ONNX Runtime threads per inference call.")
    var intraOpThreads: Int = 1

    @Option(name: .long, help: "Path of libonnxruntime.so (default: $HEPML_ORT_LIBRARY or .deps/onnxruntime/).")
    var ortLibrary: String?

    func run() async throws {
        var logger = Logger(label: "hepml.server")
        logger.logLevel = .info
        let envToken = getenv("HEPML_TOKEN").map { String(cString: $0) }
        var config = ServerConfiguration(host: host, port: port, repository: repository, token: token ?? envToken,
                                         maxBodySize: maxBodyMb << 20, requestTimeout: timeout,
                                         maxInflightBytes: maxInflightMb << 20, workerThreads: workerThreads,
                                         modelConcurrency: modelConcurrency)
        config.grpcPort = (grpcPort ?? 8001) >= 0 ? (grpcPort ?? 8001) : nil
        config.dynamicBatchingByDefault = dynamicBatching
        config.maxQueueSize = max(1, maxQueueSize)
        config.security = SecuritySettings(tlsCertificate: tlsCert, tlsKey: tlsKey, tokensFile: tokens, jwksFile: jwks,
                                           jwtIssuer: jwtIssuer, jwtAudience: jwtAudience)
        // A crafted Keras HDF5 file can crash libhdf5: the server tries each one in a child process first.
        HDF5Isolation.probeExecutable = HDF5Isolation.currentExecutable
        let factory = BackendFactory.standard(ortLibrary: ortLibrary, intraOpThreads: intraOpThreads)
        let server = try HEPMLServer(configuration: config, factory: factory, loadModels: false, logger: logger)
        try await server.prepare()
        if config.token == nil, tokens == nil, jwks == nil, !config.isLoopback {
            logger.warning("no --token: write endpoints (upload, delete, load, unload) are refused on \(host)")
        }
        logger.info("listening on \(tlsCert == nil ? "http" : "https")://\(host):\(port); loading the models of \(repository)")
        var services: [any Service] = [server.application(logger: logger)]
        if let grpc = server.grpcListener(required: grpcPort != nil, logger: logger) { services.append(grpc) }
        services += server.lifecycleServices(pollInterval: max(0, pollInterval), drainDelay: max(0, drainDelay), logger: logger)
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .milliseconds(Int(max(0, drainTimeout) * 1000))
        try await ServiceGroup(configuration: group).run()
    }
}
