import Foundation

/// The buffers one call writes into: one per memory-plan slot plus im2col scratch. Reused by later calls.
final class NativeWorkspace: @unchecked Sendable {
    var slots: [FloatBuffer]
    let scratch = FloatBuffer(capacity: 1)

    init(slotCount: Int) { slots = (0..<slotCount).map { _ in FloatBuffer(capacity: 1) } }
}

/// Workspaces for concurrent calls: a call takes one (or makes one) and gives it back.
final class NativeWorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle = [NativeWorkspace]()
    private let slotCount: Int
    /// Workspaces kept when idle (more concurrent calls make temporary ones).
    private let keep = 8

    init(slotCount: Int) { self.slotCount = slotCount }

    func withWorkspace<R>(_ body: (NativeWorkspace) throws -> R) rethrows -> R {
        lock.lock()
        let ws = idle.popLast() ?? NativeWorkspace(slotCount: slotCount)
        lock.unlock()
        defer {
            lock.lock()
            if idle.count < keep { idle.append(ws) }
            lock.unlock()
        }
        return try body(ws)
    }
}
