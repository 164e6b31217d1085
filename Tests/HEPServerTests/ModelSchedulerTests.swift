import Dispatch
import Foundation
import HEPInference
import Synchronization
import TestSupport
import Testing
@testable import HEPServer

/// The per-model scheduler: dynamic batching gives the answers of unbatched runs, merges concurrent
/// requests, keeps a bad request's failure to itself, bounds its queue and honours instance counts.
@Suite struct ModelSchedulerTests {
    /// Model work on Dispatch threads (the server uses its worker pool).
    static let submit: ModelScheduler.Submit = { work in DispatchQueue.global().async(execute: work) }

    /// sklearn-mlp (ONNX Runtime) declared with a batch dimension of up to `maxBatch` rows.
    static func mlp(maxBatch: Int32 = 64, delayMicroseconds: UInt64 = 20_000, batching: Bool = true, instances: Int32 = 0) throws -> LoadedModel {
        let factory = BackendFactory(onnxEnvironment: ModelFixtures.environment)
        let backend = try factory.backend(platform: "onnxruntime_onnx", path: ModelFixtures.modelsDirectory + "/sklearn-mlp/model.onnx")
        var config = Inference_ModelConfig()
        config.name = "mlp"
        config.platform = "onnxruntime_onnx"
        config.maxBatchSize = maxBatch
        if batching { config.dynamicBatching.maxQueueDelayMicroseconds = delayMicroseconds }
        if instances > 0 { config.instanceGroup = [.with { $0.count = instances }] }
        return LoadedModel(name: "mlp", version: 1, config: config, signature: backend.signature, backend: backend,
                           labels: nil, tfaasParams: nil, paramsJSON: nil)
    }

    static func scheduler(_ model: LoadedModel, queue: Int = 1024) -> ModelScheduler {
        ModelScheduler(model: model, policy: BatchingPolicy(config: model.config, defaultInstances: 1, defaultQueueSize: queue), submit: submit)
    }

    /// Row `k` of the shared reference input, as a one-event request.
    static func event(_ k: Int) throws -> [Tensor] {
        let x = try ModelFixtures.reference("sklearn-mlp").inputs[0]
        let rows = x.shape[0], width = x.shape[1]
        let r = k % rows
        let values = x.values(Float.self) ?? []
        let row = values[(r * width)..<((r + 1) * width)].map { $0 + Float(k / rows) * 0.25 }
        return [Tensor(name: "X", shape: [1, width], values: Array(row))]
    }

    @Test func concurrentSingleEventsAreMergedAndEqualUnbatchedRuns() async throws {
        let model = try Self.mlp()
        let scheduler = Self.scheduler(model)
        let n = 64
        let answers = try await withThrowingTaskGroup(of: (Int, [Tensor]).self) { group in
            for k in 0..<n { group.addTask { (k, try await scheduler.infer(try Self.event(k))) } }
            var out = [[Tensor]](repeating: [], count: n)
            for try await (k, o) in group { out[k] = o }
            return out
        }
        for k in 0..<n {
            let alone = try model.infer(try Self.event(k))
            #expect(answers[k].map(\.name) == alone.map(\.name))
            for (got, want) in zip(answers[k], alone) {
                #expect(got.shape == want.shape)
                #expect(ModelFixtures.close(got, want, abs: 1e-6, rel: 1e-5), "event \(k) output \(got.name)")
            }
        }
        let stats = scheduler.statistics.snapshot
        #expect(stats.inferenceCount == UInt64(n))
        #expect(stats.success.count == UInt64(n))
        #expect(stats.queue.count == UInt64(n))
        #expect(stats.executionCount < UInt64(n), "no request was merged: \(stats.executionCount) runs")
        #expect(stats.batches.keys.contains { $0 > 1 })
        #expect(stats.batches.values.reduce(UInt64(0)) { $0 + $1.computeInfer.count } == stats.executionCount)
    }

    @Test func badShapeInsideABusyBatchFailsAlone() async throws {
        let scheduler = Self.scheduler(try Self.mlp())
        let results = await withTaskGroup(of: (Int, Result<[Tensor], any Error>).self) { group in
            for k in 0..<16 {
                group.addTask {
                    do {
                        var inputs = try Self.event(k)
                        if k == 7 { inputs = [Tensor(name: "X", shape: [1, 11], values: [Float](repeating: 0.5, count: 11))] }
                        return (k, .success(try await scheduler.infer(inputs)))
                    } catch {
                        return (k, .failure(error))
                    }
                }
            }
            var out: [Int: Result<[Tensor], any Error>] = [:]
            for await (k, r) in group { out[k] = r }
            return out
        }
        for k in 0..<16 {
            switch results[k] {
            case .success?: #expect(k != 7, "the bad request succeeded")
            case let .failure(e)?:
                #expect(k == 7, "request \(k) failed: \(e)")
                #expect((e as? InferenceError)?.httpStatus == 400)
            case nil: Issue.record("no result for \(k)")
            }
        }
        #expect(scheduler.statistics.snapshot.fail.count == 1)
        #expect(scheduler.statistics.snapshot.inferenceCount == 15)
    }

    @Test func failingMergedRunIsRetriedOneByOne() async throws {
        let backend = RowCheckBackend()
        var config = Inference_ModelConfig()
        config.maxBatchSize = 32
        config.dynamicBatching.maxQueueDelayMicroseconds = 50_000
        config.dynamicBatching.preferredBatchSize = [8]
        let model = LoadedModel(name: "rows", version: 1, config: config, signature: backend.signature, backend: backend,
                                labels: nil, tfaasParams: nil, paramsJSON: nil)
        let scheduler = Self.scheduler(model)
        let results = await withTaskGroup(of: (Int, Result<[Tensor], any Error>).self) { group in
            for k in 0..<8 {
                group.addTask {
                    let value: Float = k == 3 ? -1 : Float(k)
                    do { return (k, .success(try await scheduler.infer([Tensor(name: "x", shape: [1, 2], values: [value, value])]))) }
                    catch { return (k, .failure(error)) }
                }
            }
            var out: [Int: Result<[Tensor], any Error>] = [:]
            for await (k, r) in group { out[k] = r }
            return out
        }
        for k in 0..<8 {
            switch results[k] {
            case let .success(outputs)?:
                #expect(k != 3)
                #expect(outputs.first?.values(Float.self) == [Float(2 * k)])
                #expect(outputs.first?.shape == [1])
            case .failure?:
                #expect(k == 3)
            case nil: Issue.record("no result for \(k)")
            }
        }
        #expect(backend.calls.withLock { $0 }.contains { $0 > 1 }, "the requests were never merged")
    }

    @Test func fullQueueRefusesWithBusy() async throws {
        // Queued requests wait up to 5 s for more: long enough for both to be queued on a loaded host.
        let model = try Self.mlp(delayMicroseconds: 5_000_000)
        let scheduler = Self.scheduler(model, queue: 2)
        async let first = scheduler.infer(try Self.event(0))
        async let second = scheduler.infer(try Self.event(1))
        try await Self.waitUntil { scheduler.queuedCount == 2 }
        do {
            _ = try await scheduler.infer(try Self.event(2))
            Issue.record("a third request was queued past max_queue_size 2")
        } catch let e as APIError {
            #expect(e.status.code == 503)
        }
        let answers = try await [first, second]
        #expect(answers.count == 2)
        #expect(scheduler.statistics.snapshot.executionCount == 1)
    }

    @Test func cancelledRequestLeavesTheQueue() async throws {
        let scheduler = Self.scheduler(try Self.mlp(delayMicroseconds: 10_000_000))
        let waiting = Task { try await scheduler.infer(try Self.event(0)) }
        try await Self.waitUntil { scheduler.queuedCount == 1 }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(scheduler.queuedCount == 0)
        let stats = scheduler.statistics.snapshot
        #expect(stats.executionCount == 0 && stats.fail.count == 0 && stats.success.count == 0)
    }

    @Test func queuedRequestsAreCutToThePreferredBatchSize() async throws {
        let backend = RowCheckBackend(holdFirstRun: true)
        var config = Inference_ModelConfig()
        config.maxBatchSize = 32
        config.dynamicBatching.preferredBatchSize = [4]
        config.instanceGroup = [.with { $0.count = 1 }]
        let model = LoadedModel(name: "rows", version: 1, config: config, signature: backend.signature, backend: backend,
                                labels: nil, tfaasParams: nil, paramsJSON: nil)
        let scheduler = Self.scheduler(model)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The first run is held inside the model until the other 12 requests are queued behind it, so the test
            // does not depend on how fast a loaded host starts tasks.
            group.addTask { _ = try await scheduler.infer([Tensor(name: "x", shape: [1, 2], values: [Float(0), 1])]) }
            try await Self.waitUntil { backend.running.withLock { $0 } == 1 }
            for k in 1..<13 {
                group.addTask { _ = try await scheduler.infer([Tensor(name: "x", shape: [1, 2], values: [Float(k), 1])]) }
            }
            try await Self.waitUntil { scheduler.queuedCount == 12 }
            backend.release()
            try await group.waitForAll()
        }
        let calls = backend.calls.withLock { $0 }
        // The held run had one row; the 12 queued behind it run as batches cut to the preferred size 4.
        #expect(calls == [1, 4, 4, 4], "runs \(calls)")
    }

    /// Polls `condition` every millisecond for at most 60 s (a bound, not a timing assertion).
    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<60_000 {
            if condition() { return }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        Issue.record("condition not reached within 60 s")
    }

    @Test func instanceGroupCountBoundsConcurrentRuns() async throws {
        let backend = RowCheckBackend(sleepMicroseconds: 30_000)
        var config = Inference_ModelConfig()
        config.maxBatchSize = 8
        config.instanceGroup = [.with { $0.count = 1 }, .with { $0.count = 1; $0.kind = .cpu }]
        let model = LoadedModel(name: "rows", version: 1, config: config, signature: backend.signature, backend: backend,
                                labels: nil, tfaasParams: nil, paramsJSON: nil)
        let scheduler = Self.scheduler(model)
        #expect(scheduler.policy.instances == 2)
        #expect(!scheduler.policy.merges)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 0..<8 {
                group.addTask { _ = try await scheduler.infer([Tensor(name: "x", shape: [1, 2], values: [Float(k), 1])]) }
            }
            try await group.waitForAll()
        }
        // At most the two instances run at once (exactly two when the test host has a free thread for the second).
        #expect((1...2).contains(backend.maxConcurrent.withLock { $0 }))
        #expect(scheduler.statistics.snapshot.executionCount == 8)
    }

    @Test func policyFromConfigText() throws {
        let text = """
            name: "m"
            max_batch_size: 64
            dynamic_batching { preferred_batch_size: [8, 16] max_queue_delay_microseconds: 500
                               default_queue_policy { max_queue_size: 7 } }
            instance_group [{ count: 3 kind: KIND_CPU }]
            """
        let config = try ModelConfigFile.parse(text, file: "m/config.pbtxt")
        let p = BatchingPolicy(config: config, defaultInstances: 2, defaultQueueSize: 100)
        #expect(p == BatchingPolicy(instances: 3, merges: true, maxBatchSize: 64, preferredBatchSizes: [16, 8],
                                    maxQueueDelayNanoseconds: 500_000, maxQueueSize: 7))
        #expect(p.targetBatchSize == 16 && p.preferredBatchSizes == [8, 16])
        let plain = BatchingPolicy(config: try ModelConfigFile.parse("name: \"m\"\nmax_batch_size: 64\n", file: "c"),
                                   defaultInstances: 2, defaultQueueSize: 100)
        #expect(!plain.merges && plain.instances == 2 && plain.maxQueueSize == 100)
        let switched = BatchingPolicy(config: try ModelConfigFile.parse("name: \"m\"\nmax_batch_size: 64\n", file: "c"),
                                      defaultInstances: 2, defaultQueueSize: 100, batchingByDefault: true)
        #expect(switched.merges && switched.targetBatchSize == 64 && switched.maxQueueDelayNanoseconds == 0)
        let unbatched = BatchingPolicy(config: try ModelConfigFile.parse("name: \"m\"\ndynamic_batching {}\n", file: "c"),
                                       defaultInstances: 2, defaultQueueSize: 100)
        #expect(!unbatched.merges)
    }

    @Test func mergeAndSplitRoundTrip() throws {
        let a = [Tensor(name: "x", shape: [1, 3], values: [Float(1), 2, 3]), Tensor(name: "m", shape: [1], values: [Int64(5)])]
        let b = [Tensor(name: "m", shape: [2], values: [Int64(6), 7]), Tensor(name: "x", shape: [2, 3], values: [Float(4), 5, 6, 7, 8, 9])]
        #expect(BatchKey.of(a, outputs: nil)?.key == BatchKey.of(b, outputs: nil)?.key)
        #expect(BatchKey.of(a, outputs: ["y"])?.key != BatchKey.of(b, outputs: nil)?.key)
        #expect(BatchKey.of([Tensor(name: "x", shape: [1, 4], values: [Float](repeating: 0, count: 4))], outputs: nil)?.key
            != BatchKey.of([a[0]], outputs: nil)?.key)
        #expect(BatchKey.of([a[0], Tensor(name: "m", shape: [2], values: [Int64(1), 2])], outputs: nil) == nil)
        let merged = try BatchMerging.merge([a, b])
        #expect(merged.map(\.name) == ["x", "m"])
        #expect(merged[0].shape == [3, 3] && merged[0].values(Float.self) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(merged[1].values(Int64.self) == [5, 6, 7])
        let pieces = try BatchMerging.split(merged, sizes: [1, 2])
        #expect(pieces[0] == a)
        #expect(pieces[1][0] == b[1] && pieces[1][1] == b[0])
        #expect(throws: InferenceError.self) { try BatchMerging.split([Tensor(name: "s", shape: [], values: [Float(1)])], sizes: [1, 2]) }
    }
}

/// A model written for these tests: the sum of each row of `x` [N, 2], failing a whole run when any row is
/// negative; it records the batch sizes it ran and how many runs overlapped.
final class RowCheckBackend: InferenceBackend {
    let signature = ModelSignature(inputs: [TensorSpec(name: "x", datatype: .FP32, shape: [-1, 2])],
                                   outputs: [TensorSpec(name: "sum", datatype: .FP32, shape: [-1])])
    let sleepMicroseconds: UInt32
    let calls = Mutex<[Int]>([])
    let running = Mutex<Int>(0)
    let maxConcurrent = Mutex<Int>(0)

    /// Whether the first run waits inside the model until `release()`.
    let held = Mutex<Bool>(false)

    init(sleepMicroseconds: UInt32 = 0, holdFirstRun: Bool = false) {
        self.sleepMicroseconds = sleepMicroseconds
        held.withLock { $0 = holdFirstRun }
    }

    /// Lets a held first run finish.
    func release() { held.withLock { $0 = false } }

    func infer(_ inputs: [Tensor], outputs: [String]?) throws -> [Tensor] {
        let now = running.withLock { $0 += 1; return $0 }
        maxConcurrent.withLock { $0 = max($0, now) }
        defer { running.withLock { $0 -= 1 } }
        while held.withLock({ $0 }) { usleep(1000) }
        if sleepMicroseconds > 0 { usleep(sleepMicroseconds) }
        let x = inputs[0].values(Float.self) ?? []
        let rows = inputs[0].shape[0]
        calls.withLock { $0.append(rows) }
        guard !x.contains(where: { $0 < 0 }) else { throw InferenceError.invalidInput("negative value in x") }
        return [Tensor(name: "sum", shape: [rows], values: (0..<rows).map { x[2 * $0] + x[2 * $0 + 1] })]
    }
}
