import Synchronization

/// The server-wide budget for memory held by requests in flight (bodies, inflated bodies, tensors). A
/// reservation that would exceed it is refused with 503 and `Retry-After`, instead of the process growing.
final class InflightBudget: Sendable {
    let capacity: Int
    private let used = Atomic<Int>(0)

    init(capacity: Int) { self.capacity = capacity }

    var inUse: Int { used.load(ordering: .relaxed) }

    func tryReserve(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            let (next, overflow) = current.addingReportingOverflow(bytes)
            guard !overflow, next <= capacity else { return false }
            let (exchanged, original) = used.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) { used.subtract(bytes, ordering: .relaxed) }
}

/// The reservations of one request, returned to the budget together when the request ends.
final class BudgetLease: Sendable {
    let budget: InflightBudget
    private let held = Mutex<Int>(0)

    /// The lease of the request being handled (set by `RequestLimitMiddleware`).
    @TaskLocal static var current: BudgetLease?

    init(budget: InflightBudget) { self.budget = budget }

    /// Reserves `bytes` more, or throws 503 when the server's in-flight budget is used up.
    func reserve(_ bytes: Int) throws {
        guard bytes > 0 else { return }
        guard budget.tryReserve(bytes) else {
            throw APIError.busy("the server is busy: \(Self.mib(bytes)) more for this request would pass the in-flight budget "
                + "(\(Self.mib(budget.inUse)) of \(Self.mib(budget.capacity)) in use, --max-inflight-mb); retry later")
        }
        held.withLock { $0 += bytes }
    }

    /// Returns everything reserved so far. After a large request, once no request holds memory, freed heap
    /// memory is given back to the system.
    func releaseAll() {
        let n = held.withLock { h in
            defer { h = 0 }
            return h
        }
        budget.release(n)
        if n >= Self.trimAfterBytes, budget.inUse == 0 { MemoryReturn.trim() }
    }

    static let trimAfterBytes = 4 << 20

    deinit { releaseAll() }

    static func mib(_ bytes: Int) -> String {
        let m = Double(bytes) / 1_048_576
        return m >= 10 || m == m.rounded() ? "\(Int(m.rounded())) MiB" : "\((m * 10).rounded() / 10) MiB"
    }
}
