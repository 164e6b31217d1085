import Foundation

/// Threads of the C library's own that run the async work behind blocking C calls. A C caller waits on a
/// semaphore or a condition; if that caller is itself one of Swift's cooperative threads (a Swift program or
/// test calling the C ABI), work queued on the cooperative pool could starve. Work preferring this executor
/// (and every child task it starts) runs here instead, so a blocked caller never holds up its own answer.
final class BridgeExecutor: TaskExecutor, @unchecked Sendable {
    /// The library's executor: as many threads as cores, at least two.
    static let shared = BridgeExecutor(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(threads: Int) {
        for i in 0..<threads {
            let thread = Thread { [self] in self.work() }
            thread.name = "hepml-bridge-\(i)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// One thread's loop: take the oldest job and run it.
    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
