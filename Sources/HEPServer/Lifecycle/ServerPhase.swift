import Synchronization

/// Where a server process is in its life: loading its models at start-up, serving, or draining after
/// SIGTERM. `/v2/health/ready` answers 200 only while serving.
public enum ServerPhase: String, Sendable {
    case loading, serving, draining
}

/// The current phase, shared by the routes and the lifecycle services.
final class ServerLifecycle: Sendable {
    private let current: Mutex<ServerPhase>

    init(_ phase: ServerPhase) { current = Mutex(phase) }

    var phase: ServerPhase { current.withLock { $0 } }

    func enter(_ phase: ServerPhase) { current.withLock { $0 = phase } }

    /// Loading → serving (a drain that started during the load stays a drain).
    func finishLoading() { current.withLock { if $0 == .loading { $0 = .serving } } }

    /// Waits (polling every 20 ms) until the start-up load has finished.
    func waitUntilLoaded() async throws {
        while phase == .loading { try await Task.sleep(for: .milliseconds(20)) }
    }
}
