import Foundation

/// Runs async Swift code for a synchronous C caller: the work runs on a detached task on the library's own
/// threads (`BridgeExecutor`) while the calling thread waits on a semaphore.
func runBlocking<T>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached(executorPreference: BridgeExecutor.shared) {
        do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    guard let result = box.result else { throw InvalidArgument("internal: no result") }
    return try result.get()
}

/// The result slot of `runBlocking` (written once before the semaphore is signalled).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// Hands elements from an async producer task to a blocking consumer thread through a queue of at most
/// `capacity` elements: the producer suspends (without blocking a thread) while the queue is full, so memory
/// stays bounded by `capacity` elements plus the one being made.
final class Handoff<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Element] = []
    private let capacity: Int
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    private var waitingProducer: CheckedContinuation<Void, Error>?

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Producer: enqueues `element`, waiting while the queue is full. Throws `CancellationError` once the
    /// consumer has gone.
    func send(_ element: Element) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            condition.lock()
            if cancelled {
                condition.unlock()
                c.resume(throwing: CancellationError())
                return
            }
            queue.append(element)
            condition.broadcast()
            if queue.count < capacity {
                condition.unlock()
                c.resume()
            } else {
                waitingProducer = c
                condition.unlock()
            }
        }
    }

    /// Producer: no more elements (`error` is reported after the queued ones).
    func finish(throwing error: Error? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next element, nil at the end; blocks the calling thread while the queue is empty.
    func next() throws -> Element? {
        condition.lock()
        while queue.isEmpty && !finished { condition.wait() }
        if !queue.isEmpty {
            let e = queue.removeFirst()
            let producer = waitingProducer
            waitingProducer = nil
            condition.unlock()
            producer?.resume()
            return e
        }
        let f = failure
        failure = nil
        condition.unlock()
        if let f { throw f }
        return nil
    }

    /// Consumer: stops the producer and drops what is queued.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        let producer = waitingProducer
        waitingProducer = nil
        condition.unlock()
        producer?.resume(throwing: CancellationError())
    }
}
