import Foundation
import Dispatch
import Metrics
import Prometheus
import Synchronization

/// Prometheus metrics of the server: requests, errors and latency per model and endpoint (through
/// swift-metrics), plus the HTTP metrics of Hummingbird's MetricsMiddleware.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let loadedModels: Metrics.Gauge

    /// The process-wide instance (swift-metrics can be bootstrapped once per process).
    public static let shared = ServerMetrics()

    private init() {
        registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        loadedModels = Metrics.Gauge(label: "hepml_models_loaded")
    }

    /// Metric handles per (model, endpoint), created once (looking them up in the registry on every request
    /// would cost a lock and label formatting each time).
    struct Handles: Sendable {
        let requests: Metrics.Counter
        let errors: Metrics.Counter
        let duration: Metrics.Timer
    }
    private let handles = Mutex<[String: Handles]>([:])

    func handles(model: String, endpoint: String) -> Handles {
        let key = model + "\u{0}" + endpoint
        return handles.withLock { cache in
            if let h = cache[key] { return h }
            let dims = [("model", model), ("endpoint", endpoint)]
            let h = Handles(requests: Metrics.Counter(label: "hepml_inference_requests_total", dimensions: dims),
                            errors: Metrics.Counter(label: "hepml_inference_errors_total", dimensions: dims),
                            duration: Metrics.Timer(label: "hepml_inference_duration_seconds", dimensions: dims, preferredDisplayUnit: .seconds))
            if cache.count < 10_000 { cache[key] = h }
            return h
        }
    }

    /// Times `body` and counts it as a request (and an error when it throws) of `model` on `endpoint`.
    func observe<T>(model: String, endpoint: String, _ body: () async throws -> T) async rethrows -> T {
        let h = handles(model: model, endpoint: endpoint)
        let start = DispatchTime.now().uptimeNanoseconds
        h.requests.increment()
        do {
            let result = try await body()
            h.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
            return result
        } catch {
            h.errors.increment()
            throw error
        }
    }

    func setLoadedModels(_ n: Int) { loadedModels.record(n) }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Request counters and start time for `GET /status`.
final class ServerStatus: Sendable {
    let started = DispatchTime.now()
    let counts = Mutex<[String: Int]>([:])

    func count(_ method: String) { counts.withLock { $0[method, default: 0] += 1 } }

    var uptimeSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    /// Resident memory in bytes (from /proc/self/statm).
    static var residentBytes: Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let parts = s.split(separator: " ")
        return parts.count > 1 ? (Int(parts[1]) ?? 0) * 4096 : 0
    }
}
