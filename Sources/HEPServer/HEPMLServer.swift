import HEPInference
import Hummingbird
import Logging
import ServiceLifecycle

/// The model server: TFaaS API, KServe v2 REST and gRPC, and Prometheus metrics over one model repository.
public struct HEPMLServer: Sendable {
    public let configuration: ServerConfiguration
    public let repository: ModelRepository
    let state: ServerState
    let security: ServerSecurity

    /// Opens the repository and, with `loadModels`, loads its models (failures are logged and shown as UNAVAILABLE).
    /// Without it the server starts in the loading phase (not ready) and the watcher of `lifecycleServices`
    /// loads the models once the server listens.
    public init(configuration: ServerConfiguration, factory: BackendFactory, loadModels: Bool = true,
                logger: Logger = Logger(label: "hepml.server")) throws {
        self.configuration = configuration
        security = try ServerSecurity(configuration: configuration)
        repository = try ModelRepository(root: configuration.repository, factory: factory)
        if loadModels {
            for (name, reason) in repository.loadAll() {
                logger.warning("model '\(name)' not loaded: \(reason)")
            }
            for e in repository.index() where e.state.state == "UNAVAILABLE" {
                logger.warning("model '\(e.name)' version \(e.state.version) unavailable: \(e.state.reason)")
            }
        }
        state = ServerState(configuration: configuration, repository: repository, metrics: .shared)
        if !loadModels { state.lifecycle.enter(.loading) }
        state.refreshLoadedGauge()
    }

    /// All routes with their middlewares.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(RequestCountMiddleware(status: state.status))
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(AuthMiddleware(policy: security.policy))
        router.middlewares.add(RequestLimitMiddleware(state: state))
        router.middlewares.add(StartupGateMiddleware(lifecycle: state.lifecycle))
        router.get("/metrics") { _, _ in
            JSONBody.response(bytes: state.metrics.exposition(), contentType: "text/plain; version=0.0.4")
        }
        KServeRoutes(state: state).register(on: router)
        TFaaSRoutes(state: state).register(on: router)
        WebRoutes(state: state).register(on: router)
        return router
    }

    /// The KServe v2 / Triton gRPC service on `configuration.grpcPort` (nil when that is nil), sharing the
    /// repository, schedulers, access policy, limits and metrics; `onRunning` receives the bound port.
    /// With `required` false, a port that cannot be bound is logged and HTTP serves alone.
    public func grpcListener(required: Bool = true, logger: Logger = Logger(label: "hepml.server"),
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> GRPCListener? {
        guard let port = configuration.grpcPort else { return nil }
        return GRPCListener(service: InferenceService(state: state, policy: security.policy), configuration: configuration,
                            port: port, required: required, logger: logger, onRunning: onRunning)
    }

    /// Start-up checks that need async work (JWKS keys); call before `application`.
    public func prepare() async throws { try await security.check() }

    /// The services that run beside the listeners (place them after them in the service group): the
    /// repository watcher (start-up load, then a scan of the shared folder every `pollInterval` seconds; 0:
    /// no scans) and the drain step (not ready on SIGTERM, `drainDelay` seconds before the listeners close).
    public func lifecycleServices(pollInterval: Double, drainDelay: Double,
                                  logger: Logger = Logger(label: "hepml.server")) -> [any Service] {
        [RepositoryWatcher(state: state, pollInterval: pollInterval, logger: logger),
         DrainService(lifecycle: state.lifecycle, delay: drainDelay, logger: logger)]
    }

    /// Loading, serving or draining.
    public var phase: ServerPhase { state.lifecycle.phase }

    /// An application listening on the configured address; `onRunning` receives the bound port.
    public func application(logger: Logger = Logger(label: "hepml.server"),
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: security.httpServer,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hepml"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
