import Logging
import ServiceLifecycle

/// The first service to hear SIGTERM (it is placed after the HTTP server, and a service group shuts down in
/// reverse order): it turns `/v2/health/ready` to 503, keeps serving for `delay` seconds so load balancers
/// stop sending new requests, and then lets the HTTP server close its listener and finish the requests in
/// flight (bounded by the group's graceful-shutdown limit, `--drain-timeout`).
struct DrainService: Service {
    let lifecycle: ServerLifecycle
    let delay: Double
    let logger: Logger

    func run() async throws {
        do { try await gracefulShutdown() } catch { return }
        lifecycle.enter(.draining)
        logger.info("draining: not ready; closing the listener in \(delay) s, then finishing requests in flight")
        if delay > 0 { try? await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
    }
}
