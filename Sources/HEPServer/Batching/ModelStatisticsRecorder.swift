import Foundation
import Synchronization

/// Cumulative inference statistics of one model version, counted as Triton counts them: `inferenceCount`
/// sums the batch sizes of successful requests, `executionCount` counts model runs (one per merged batch),
/// the per-request durations (queue, compute input/infer/output) add each request's share of its run, and
/// `batches` holds one entry per executed batch size.
final class ModelStatisticsRecorder: Sendable {
    /// A count and the nanoseconds it took in total.
    struct Duration: Sendable, Equatable {
        var count: UInt64 = 0
        var ns: UInt64 = 0

        mutating func add(_ nanoseconds: UInt64, count n: UInt64 = 1) {
            count &+= n
            ns &+= nanoseconds
        }
    }

    /// Durations of the runs of one batch size.
    struct BatchDurations: Sendable, Equatable {
        var computeInput = Duration()
        var computeInfer = Duration()
        var computeOutput = Duration()
    }

    struct Snapshot: Sendable, Equatable {
        /// Milliseconds since the epoch of the last successful request (0: none yet).
        var lastInferenceMs: UInt64 = 0
        var inferenceCount: UInt64 = 0
        var executionCount: UInt64 = 0
        var success = Duration()
        var fail = Duration()
        var queue = Duration()
        var computeInput = Duration()
        var computeInfer = Duration()
        var computeOutput = Duration()
        var batches: [Int: BatchDurations] = [:]
    }

    private let data = Mutex(Snapshot())

    var snapshot: Snapshot { data.withLock { $0 } }

    /// The requests of one run waited these nanoseconds for it.
    func recordQueue(_ waits: [UInt64]) {
        data.withLock { s in
            for ns in waits { s.queue.add(ns) }
        }
    }

    /// A model run of `batchSize` rows served `requests` requests; its times split into preparing the
    /// inputs (merging), running the model and preparing the outputs (splitting).
    func recordExecution(batchSize: Int, requests: Int, inputNs: UInt64, inferNs: UInt64, outputNs: UInt64) {
        data.withLock { s in
            s.executionCount &+= 1
            let n = UInt64(requests)
            s.computeInput.add(inputNs &* n, count: n)
            s.computeInfer.add(inferNs &* n, count: n)
            s.computeOutput.add(outputNs &* n, count: n)
            var b = s.batches[batchSize] ?? BatchDurations()
            b.computeInput.add(inputNs)
            b.computeInfer.add(inferNs)
            b.computeOutput.add(outputNs)
            if s.batches.count < 4096 || s.batches[batchSize] != nil { s.batches[batchSize] = b }
        }
    }

    /// Requests of `inferences` batch elements each succeeded after `nanoseconds` (queue and run).
    func recordSuccesses(_ requests: [(nanoseconds: UInt64, inferences: Int)]) {
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        data.withLock { s in
            for r in requests {
                s.success.add(r.nanoseconds)
                s.inferenceCount &+= UInt64(max(0, r.inferences))
            }
            s.lastInferenceMs = now
        }
    }

    /// A request failed after `nanoseconds`.
    func recordFailure(_ nanoseconds: UInt64) { data.withLock { $0.fail.add(nanoseconds) } }
}
