import Synchronization

/// At most `limit` concurrent runs per key (model name); later callers wait in FIFO order without holding a
/// thread.
final class ConcurrencyLimiter: Sendable {
    let limit: Int
    private struct Slots {
        var running: [String: Int] = [:]
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }
    private let slots = Mutex(Slots())

    init(limit: Int) { self.limit = max(1, limit) }

    func run<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: String) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = slots.withLock { s -> Bool in
                if s.running[key, default: 0] < limit {
                    s.running[key, default: 0] += 1
                    return true
                }
                s.waiting[key, default: []].append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    private func release(_ key: String) {
        let next = slots.withLock { s -> CheckedContinuation<Void, Never>? in
            if var queue = s.waiting[key], !queue.isEmpty {
                let c = queue.removeFirst()
                s.waiting[key] = queue.isEmpty ? nil : queue
                return c
            }
            s.running[key, default: 1] -= 1
            if s.running[key] == 0 { s.running[key] = nil }
            return nil
        }
        next?.resume()
    }
}
