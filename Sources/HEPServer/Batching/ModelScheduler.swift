import Dispatch
import HEPInference
import Synchronization

/// Runs the requests of one model version: at most `policy.instances` model runs at a time, the others wait
/// in a bounded FIFO queue. With dynamic batching, requests that wait together and share a `BatchKey` are
/// merged along the batch dimension into one run (up to `max_batch_size`, cut to a preferred size when one
/// fits) and the outputs split back; a run waits for more requests only until the oldest has waited
/// `max_queue_delay`. Requests arriving while a run is busy queue up, and the thread that finishes a run
/// takes the next batch from the queue at once, so batches form while the model runs. When a merged run
/// fails, its requests run again one by one, so a bad request fails alone. A cancelled request (client gone)
/// leaves the queue. REST, TFaaS and gRPC inference share it.
final class ModelScheduler: Sendable {
    /// Runs a closure on a worker thread (not on the cooperative pool).
    typealias Submit = @Sendable (@escaping @Sendable () -> Void) -> Void

    let model: LoadedModel
    let policy: BatchingPolicy
    let statistics: ModelStatisticsRecorder
    private let metrics: BatchMetrics
    private let submit: Submit
    private let state = Mutex(QueueState())
    private let ids = Atomic<UInt64>(0)

    /// Runs shorter than this (moving average) execute on the thread of the request that finds an idle
    /// instance, instead of a hand-off to a worker thread and back, which would cost more than the run.
    static let inlineRunNanoseconds: UInt64 = 40_000
    /// Batches one request's thread may run in a row for others before handing the queue to a worker.
    static let inlineBatches = 4
    /// Batches a worker thread runs in a row before it goes back to the end of the worker pool's queue, so
    /// one busy model does not keep the shared workers from other models' runs and large-body decoding.
    static let workerBatches = 16

    private struct Pending: Sendable {
        let id: UInt64
        let inputs: [Tensor]
        let outputs: [String]?
        let key: BatchKey?
        /// Rows of the request (1 for a model without a batch dimension).
        let batchSize: Int
        let enqueued: UInt64
        let continuation: CheckedContinuation<[Tensor], any Error>
    }

    private struct QueueState: Sendable {
        var queue: [Pending] = []
        var running = 0
        /// The wake-up already set for the queue delay, if any.
        var timerDeadline: UInt64?
        /// Moving average of recent run durations (0: none yet).
        var runNanoseconds: UInt64 = 0
    }

    init(model: LoadedModel, policy: BatchingPolicy, statistics: ModelStatisticsRecorder = ModelStatisticsRecorder(), submit: @escaping Submit) {
        self.model = model
        self.policy = policy
        self.statistics = statistics
        self.submit = submit
        metrics = BatchMetrics(model: model.name)
    }

    /// Requests waiting for a run.
    var queuedCount: Int { state.withLock { $0.queue.count } }

    /// A new request identity, for `cancel(_:)` by a caller whose cancellation is not its task's (gRPC).
    func newRequestID() -> UInt64 { ids.add(1, ordering: .relaxed).newValue }

    /// Validates the request, queues it and returns its outputs once its run is done. Refused as busy when
    /// the queue is full; a request cancelled while it waits (its task, or `cancel(id)`) leaves the queue
    /// with `CancellationError`.
    func infer(_ inputs: [Tensor], outputs: [String]? = nil, id: UInt64? = nil) async throws -> [Tensor] {
        let start = Self.now()
        do {
            try model.validate(inputs)
        } catch {
            statistics.recordFailure(Self.now() - start)
            throw error
        }
        let merge = policy.merges ? BatchKey.of(inputs, outputs: outputs) : nil
        let rows = model.config.maxBatchSize > 0 ? (inputs.first?.shape.first ?? 1) : 1
        let id = id ?? newRequestID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let pending = Pending(id: id, inputs: inputs, outputs: outputs, key: merge?.key, batchSize: rows,
                                      enqueued: start, continuation: continuation)
                enqueue(pending)
            }
        } onCancel: {
            cancel(id)
        }
    }

    private func enqueue(_ pending: Pending) {
        if Task.isCancelled {
            pending.continuation.resume(throwing: CancellationError())
            return
        }
        let taken = state.withLock { s -> Taken? in
            guard s.queue.count < policy.maxQueueSize else { return nil }
            s.queue.append(pending)
            return take(&s)
        }
        guard let taken else {
            statistics.recordFailure(Self.now() - pending.enqueued)
            pending.continuation.resume(throwing: APIError.busy(
                "model '\(model.name)' version \(model.version): \(policy.maxQueueSize) requests are already queued; retry later"))
            return
        }
        start(taken, here: taken.fast ? Self.inlineBatches : 0, onWorker: false)
    }

    /// Removes a cancelled request from the queue (nothing when its run has started or it is not queued).
    /// It counts neither as a success nor as a failure of the model: the client left (the endpoint's
    /// error metric still counts it).
    func cancel(_ id: UInt64) {
        let removed = state.withLock { s -> Pending? in
            guard let k = s.queue.firstIndex(where: { $0.id == id }) else { return nil }
            return s.queue.remove(at: k)
        }
        guard let removed else { return }
        removed.continuation.resume(throwing: CancellationError())
    }

    /// Batches taken from the queue (each already counted as running), the wake-up to arm for the queue
    /// delay, and whether runs are short enough to execute on the caller's thread.
    private struct Taken {
        var batches: [[Pending]] = []
        var wakeUp: UInt64?
        var fast = false
    }

    /// Takes as many batches as free instances allow; sets a wake-up when the next batch should wait.
    private func take(_ s: inout QueueState) -> Taken {
        var t = Taken()
        t.fast = s.runNanoseconds > 0 && s.runNanoseconds < Self.inlineRunNanoseconds
        guard !s.queue.isEmpty, s.running < policy.instances else { return t }
        let now = Self.now()
        while s.running < policy.instances, !s.queue.isEmpty {
            let (picked, full) = nextBatch(s.queue)
            let deadline = s.queue[0].enqueued &+ policy.maxQueueDelayNanoseconds
            guard full || now >= deadline else {
                if s.timerDeadline.map({ $0 > deadline }) ?? true {
                    s.timerDeadline = deadline
                    t.wakeUp = deadline
                }
                break
            }
            if picked.last == picked.count - 1 {
                t.batches.append(Array(s.queue[0..<picked.count]))
                s.queue.removeSubrange(0..<picked.count)
            } else {
                t.batches.append(picked.map { s.queue[$0] })
                for k in picked.reversed() { s.queue.remove(at: k) }
            }
            s.running += 1
        }
        return t
    }

    /// Arms the queue-delay wake-up, hands batches to worker threads and runs up to `here` batches on this
    /// thread (the first taken, then the next ones the queue has ready when it is done).
    private func start(_ taken: Taken, here: Int, onWorker: Bool) {
        if let wakeUp = taken.wakeUp {
            Task {
                let now = Self.now()
                if wakeUp > now { try? await Task.sleep(nanoseconds: wakeUp - now) }
                let t = state.withLock { s -> Taken in
                    if s.timerDeadline == wakeUp { s.timerDeadline = nil }
                    return take(&s)
                }
                start(t, here: 0, onWorker: false)
            }
        }
        var batches = taken.batches[...]
        var here = here
        while let batch = batches.popFirst() {
            guard here > 0 else {
                for b in [batch] + batches { submit { self.start(Taken(batches: [b]), here: Self.workerBatches, onWorker: true) } }
                return
            }
            for b in batches { submit { self.start(Taken(batches: [b]), here: Self.workerBatches, onWorker: true) } }
            let ns = execute(batch)
            here -= 1
            let next = state.withLock { s -> Taken in
                s.running -= 1
                s.runNanoseconds = s.runNanoseconds == 0 ? ns : (s.runNanoseconds * 7 + ns) / 8
                return take(&s)
            }
            if let wakeUp = next.wakeUp { start(Taken(wakeUp: wakeUp), here: 0, onWorker: onWorker) }
            batches = next.batches[...]
            if !onWorker && !next.fast { here = 0 }
        }
    }

    /// The queue indices of the next run: the oldest request, plus (when merging) the later requests with
    /// its key while they fit in `max_batch_size`. A batch short of the target is cut to the largest
    /// preferred size it reaches. `full` says the run should not wait for more.
    private func nextBatch(_ queue: [Pending]) -> (indices: [Int], full: Bool) {
        let head = queue[0]
        guard policy.merges, let key = head.key else { return ([0], true) }
        var indices = [0]
        var rows = head.batchSize
        var rowsAt = [rows]
        var limited = false
        for k in queue.indices.dropFirst() where queue[k].key == key {
            guard rows + queue[k].batchSize <= policy.maxBatchSize else {
                limited = true
                break
            }
            indices.append(k)
            rows += queue[k].batchSize
            rowsAt.append(rows)
        }
        let ready = limited || rows >= policy.targetBatchSize || policy.maxQueueDelayNanoseconds == 0
        if ready, let cut = rowsAt.lastIndex(where: { policy.preferredBatchSizes.contains($0) }) {
            return (Array(indices[...cut]), true)
        }
        return (indices, ready)
    }

    /// Runs one batch on this thread and answers its requests; returns the model run's duration.
    private func execute(_ batch: [Pending]) -> UInt64 {
        let started = Self.now()
        for p in batch {
            metrics.queueTime.recordNanoseconds(Int64(truncatingIfNeeded: started - p.enqueued))
        }
        statistics.recordQueue(batch.map { started - $0.enqueued })
        if batch.count == 1 {
            return runAlone(batch[0])
        }
        if let (results, ns) = runMerged(batch) {
            let done = Self.now()
            statistics.recordSuccesses(batch.map { (done - $0.enqueued, $0.batchSize) })
            for (p, outputs) in zip(batch, results) {
                p.continuation.resume(returning: outputs)
            }
            return ns
        }
        return batch.reduce(0) { $0 + runAlone($1) }
    }

    /// One run of one request; its result or error goes to the request.
    private func runAlone(_ p: Pending) -> UInt64 {
        let t0 = Self.now()
        do {
            let outputs = try model.backend.infer(p.inputs, outputs: p.outputs)
            let inferNs = Self.now() - t0
            statistics.recordExecution(batchSize: p.batchSize, requests: 1, inputNs: 0, inferNs: inferNs, outputNs: 0)
            metrics.batchSize.record(p.batchSize)
            metrics.computeTime.recordNanoseconds(Int64(truncatingIfNeeded: inferNs))
            statistics.recordSuccesses([(Self.now() - p.enqueued, p.batchSize)])
            p.continuation.resume(returning: outputs)
            return inferNs
        } catch {
            statistics.recordFailure(Self.now() - p.enqueued)
            p.continuation.resume(throwing: error)
            return Self.now() - t0
        }
    }

    /// One run of the merged requests; nil when merging, running or splitting failed.
    private func runMerged(_ batch: [Pending]) -> ([[Tensor]], UInt64)? {
        let sizes = batch.map(\.batchSize)
        let rows = sizes.reduce(0, +)
        do {
            let t0 = Self.now()
            let merged = try BatchMerging.merge(batch.map(\.inputs))
            let t1 = Self.now()
            let outputs = try model.backend.infer(merged, outputs: batch[0].outputs)
            let t2 = Self.now()
            let pieces = try BatchMerging.split(outputs, sizes: sizes)
            let t3 = Self.now()
            statistics.recordExecution(batchSize: rows, requests: batch.count, inputNs: t1 - t0, inferNs: t2 - t1, outputNs: t3 - t2)
            metrics.batchSize.record(rows)
            metrics.computeTime.recordNanoseconds(Int64(truncatingIfNeeded: t2 - t1))
            return (pieces, t2 - t1)
        } catch {
            return nil
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
