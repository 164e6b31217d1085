import HEPInference
import Synchronization

/// The scheduler of every served model version, created on first use. A reloaded or replaced version gets
/// a new scheduler (its policy may have changed) that keeps the statistics of the one before.
final class ModelSchedulers: Sendable {
    private let defaultInstances: Int
    private let defaultQueueSize: Int
    private let batchingByDefault: Bool
    private let submit: ModelScheduler.Submit
    private let schedulers = Mutex<[String: ModelScheduler]>([:])

    init(defaultInstances: Int, defaultQueueSize: Int, batchingByDefault: Bool, submit: @escaping ModelScheduler.Submit) {
        self.defaultInstances = defaultInstances
        self.defaultQueueSize = defaultQueueSize
        self.batchingByDefault = batchingByDefault
        self.submit = submit
    }

    static func key(_ name: String, _ version: Int) -> String { name + "\u{0}" + String(version) }

    /// The scheduler of `model` (this very loaded instance).
    func scheduler(for model: LoadedModel) -> ModelScheduler {
        let key = Self.key(model.name, model.version)
        return schedulers.withLock { all in
            if let s = all[key], s.model === model { return s }
            let policy = BatchingPolicy(config: model.config, defaultInstances: defaultInstances,
                                        defaultQueueSize: defaultQueueSize, batchingByDefault: batchingByDefault)
            let s = ModelScheduler(model: model, policy: policy, statistics: all[key]?.statistics ?? ModelStatisticsRecorder(),
                                   submit: submit)
            all[key] = s
            return s
        }
    }

    /// Statistics of one model version (nil: never used since the server started).
    func statistics(name: String, version: Int) -> ModelStatisticsRecorder? {
        schedulers.withLock { $0[Self.key(name, version)]?.statistics }
    }
}
