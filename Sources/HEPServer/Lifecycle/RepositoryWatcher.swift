import HEPInference
import Logging
import ServiceLifecycle

/// Loads the repository once the server listens (the server is not ready meanwhile), then, every
/// `pollInterval` seconds, picks up what other replicas sharing the folder uploaded, deleted or re-tagged.
struct RepositoryWatcher: Service {
    let state: ServerState
    /// Seconds between scans of the folder; 0 loads once and never scans.
    let pollInterval: Double
    let logger: Logger

    func run() async throws {
        if state.lifecycle.phase == .loading {
            let repository = state.repository
            let failures = await Task.detached { repository.loadAll() }.value
            for (name, reason) in failures { logger.warning("model '\(name)' not loaded: \(reason)") }
            for e in repository.index() where e.state.state == "UNAVAILABLE" {
                logger.warning("model '\(e.name)' version \(e.state.version) unavailable: \(e.state.reason)")
            }
            state.refreshLoadedGauge()
            state.lifecycle.finishLoading()
            let ready = repository.index().filter { $0.state.state == "READY" }.count
            logger.info("serving \(ready) model version(s) from \(repository.root)")
        }
        guard pollInterval > 0 else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(pollInterval * 1000))) }
            } catch {
                return
            }
            let changes = await state.repository.synchronize()
            guard !changes.isEmpty else { continue }
            state.refreshLoadedGauge()
            logger.info("repository changed on disk: loaded \(changes.loaded), tags \(changes.retagged), removed \(changes.removed)")
            for (name, reason) in changes.failed { logger.warning("model '\(name)' changed on disk but does not load: \(reason)") }
        }
    }
}
