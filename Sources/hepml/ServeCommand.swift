import ArgumentParser
import HEPInference
import HEPServer
import Hummingbird
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `hepml serve`: the model server (TFaaS API + KServe v2 REST) over a model repository.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model repository over the TFaaS API and KServe v2 / Triton REST.")

    @Option(name: .long, help: "Model repository folder (Triton layout, numeric versions, or TFaaS params.json folders).")
    var repository: String = "models"

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port: Int = 8083

    @Option(name: .long, help: "Bearer token required by write endpoints (default: $HEPML_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Largest accepted request body in MiB.")
    var maxBodyMb: Int = 256

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
        let config = ServerConfiguration(host: host, port: port, repository: repository, token: token ?? envToken,
                                         maxBodySize: maxBodyMb << 20, requestTimeout: timeout)
        let factory = BackendFactory.standard(ortLibrary: ortLibrary, intraOpThreads: intraOpThreads)
        if let reason = factory.onnxUnavailableReason { logger.warning("\(reason)") }
        let server = try HEPMLServer(configuration: config, factory: factory, logger: logger)
        if config.token == nil, !config.isLoopback {
            logger.warning("no --token: write endpoints (upload, delete, load, unload) are refused on \(host)")
        }
        let ready = server.repository.index().filter { $0.state.state == "READY" }.count
        logger.info("serving \(ready) model version(s) from \(repository) on http://\(host):\(port)")
        try await server.application(logger: logger).runService()
    }
}
