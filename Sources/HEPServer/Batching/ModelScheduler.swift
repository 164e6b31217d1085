import Dispatch
import HEPInference
import Synchronization

/// Runs the requests of one model version: at most `policy.instances` model runs at a time, the others wait
/// in a bounded FIFO queue. With dynamic batching, requests that wait together and share a `BatchKey` are
/// merged along the batch dimension into one run (up to `max_batch_size`) and the outputs split back; a run
/// waits for more requests only until the oldest has waited `max_queue_delay`. When a merged run fails,
/// its requests run again one by one, so a bad request fails alone. REST and gRPC inference share it.
final class ModelScheduler: Sendable {
    /// Outputs of one model run and the run's own duration.
    struct TimedOutputs: Sendable {
        var outputs: [Tensor]
        var nanoseconds: UInt64
    }
    typealias Offload = @Sendable (@escaping @Sendable () throws -> TimedOutputs) async throws -> TimedOutputs

    let model: LoadedModel
    let policy: BatchingPolicy
    let statistics: ModelStatisticsRecorder
    private let metrics: BatchMetrics
    /// Runs model work on a worker thread (not on the cooperative pool).
    private let offload: Offload
    private let state = Mutex(QueueState())

    private struct Pending: Sendable {
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
    }

    init(model: LoadedModel, policy: BatchingPolicy, statistics: ModelStatisticsRecorder = ModelStatisticsRecorder(), offload: @escaping Offload) {
        self.model = model
        self.policy = policy
        self.statistics = statistics
        self.offload = offload
        metrics = BatchMetrics(model: model.name)
    }

    /// Requests waiting for a run.
    var queuedCount: Int { state.withLock { $0.queue.count } }

    /// Validates the request, queues it and returns its outputs once its run is done. Refused as busy when
    /// the queue is full.
    func infer(_ inputs: [Tensor], outputs: [String]? = nil) async throws -> [Tensor] {
        let start = Self.now()
        do {
            try model.validate(inputs)
        } catch {
            statistics.recordFailure(Self.now() - start)
            throw error
        }
        let merge = policy.merges ? BatchKey.of(inputs, outputs: outputs) : nil
        let rows = model.config.maxBatchSize > 0 ? (inputs.first?.shape.first ?? 1) : 1
        let result: [Tensor] = try await withCheckedThrowingContinuation { continuation in
            let pending = Pending(inputs: inputs, outputs: outputs, key: merge?.key, batchSize: rows,
                                  enqueued: start, continuation: continuation)
            let accepted = state.withLock { s -> Bool in
                guard s.queue.count < policy.maxQueueSize else { return false }
                s.queue.append(pending)
                return true
            }
            guard accepted else {
                statistics.recordFailure(Self.now() - start)
                continuation.resume(throwing: APIError.busy(
                    "model '\(model.name)' version \(model.version): \(policy.maxQueueSize) requests are already queued; retry later"))
                return
            }
            dispatch()
        }
        return result
    }

    /// Starts as many runs as free instances allow; arms a wake-up when the next batch should wait.
    private func dispatch() {
        var launches: [[Pending]] = []
        var wakeUp: UInt64?
        state.withLock { s in
            let now = Self.now()
            while s.running < policy.instances, !s.queue.isEmpty {
                let (picked, full) = nextBatch(s.queue)
                let deadline = s.queue[0].enqueued &+ policy.maxQueueDelayNanoseconds
                guard full || now >= deadline else {
                    if s.timerDeadline.map({ $0 > deadline }) ?? true {
                        s.timerDeadline = deadline
                        wakeUp = deadline
                    }
                    break
                }
                let batch = picked.map { s.queue[$0] }
                for k in picked.reversed() { s.queue.remove(at: k) }
                s.running += 1
                launches.append(batch)
            }
        }
        if let wakeUp {
            Task {
                let now = Self.now()
                if wakeUp > now { try? await Task.sleep(nanoseconds: wakeUp - now) }
                state.withLock { s in if s.timerDeadline == wakeUp { s.timerDeadline = nil } }
                dispatch()
            }
        }
        for batch in launches {
            Task { await execute(batch) }
        }
    }

    /// The queue indices of the next run: the oldest request, plus (when merging) the later requests with
    /// its key while they fit in `max_batch_size`. `full` says the run should not wait for more.
    private func nextBatch(_ queue: [Pending]) -> (indices: [Int], full: Bool) {
        let head = queue[0]
        guard policy.merges, let key = head.key else { return ([0], true) }
        var indices = [0]
        var rows = head.batchSize
        for k in queue.indices.dropFirst() where queue[k].key == key {
            guard rows + queue[k].batchSize <= policy.maxBatchSize else { return (indices, true) }
            indices.append(k)
            rows += queue[k].batchSize
        }
        return (indices, rows >= policy.targetBatchSize || policy.maxQueueDelayNanoseconds == 0)
    }

    private func execute(_ batch: [Pending]) async {
        let started = Self.now()
        for p in batch {
            statistics.recordQueue(started - p.enqueued)
            metrics.queueTime.recordNanoseconds(Int64(truncatingIfNeeded: started - p.enqueued))
        }
        if batch.count == 1 {
            await runAlone(batch[0])
        } else if let results = await runMerged(batch) {
            for (p, outputs) in zip(batch, results) {
                statistics.recordSuccess(Self.now() - p.enqueued, inferences: p.batchSize)
                p.continuation.resume(returning: outputs)
            }
        } else {
            for p in batch { await runAlone(p) }
        }
        state.withLock { $0.running -= 1 }
        dispatch()
    }

    /// One run of one request; its result or error goes to the request.
    private func runAlone(_ p: Pending) async {
        do {
            let (outputs, inferNs) = try await timedRun(p.inputs, outputs: p.outputs)
            statistics.recordExecution(batchSize: p.batchSize, requests: 1, inputNs: 0, inferNs: inferNs, outputNs: 0)
            metrics.batchSize.record(p.batchSize)
            metrics.computeTime.recordNanoseconds(Int64(truncatingIfNeeded: inferNs))
            statistics.recordSuccess(Self.now() - p.enqueued, inferences: p.batchSize)
            p.continuation.resume(returning: outputs)
        } catch {
            statistics.recordFailure(Self.now() - p.enqueued)
            p.continuation.resume(throwing: error)
        }
    }

    /// One run of the merged requests; nil when merging, running or splitting failed.
    private func runMerged(_ batch: [Pending]) async -> [[Tensor]]? {
        let sizes = batch.map(\.batchSize)
        let rows = sizes.reduce(0, +)
        do {
            let t0 = Self.now()
            let merged = try BatchMerging.merge(batch.map(\.inputs))
            let t1 = Self.now()
            let (outputs, inferNs) = try await timedRun(merged, outputs: batch[0].outputs)
            let t2 = Self.now()
            let pieces = try BatchMerging.split(outputs, sizes: sizes)
            let t3 = Self.now()
            statistics.recordExecution(batchSize: rows, requests: batch.count, inputNs: t1 - t0, inferNs: inferNs, outputNs: t3 - t2)
            metrics.batchSize.record(rows)
            metrics.computeTime.recordNanoseconds(Int64(truncatingIfNeeded: inferNs))
            return pieces
        } catch {
            return nil
        }
    }

    /// Runs the backend on a worker thread; returns the outputs and the run's own duration.
    private func timedRun(_ inputs: [Tensor], outputs: [String]?) async throws -> ([Tensor], UInt64) {
        let backend = model.backend
        let run = try await offload {
            let t0 = Self.now()
            let result = try backend.infer(inputs, outputs: outputs)
            return TimedOutputs(outputs: result, nanoseconds: Self.now() - t0)
        }
        return (run.outputs, run.nanoseconds)
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
