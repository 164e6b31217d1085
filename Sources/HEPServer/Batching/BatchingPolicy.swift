import HEPInference

/// How the requests of one model version are scheduled: how many model runs go at once (`instance_group`)
/// and whether, and up to what size, concurrent requests are merged into one run (`dynamic_batching`).
struct BatchingPolicy: Sendable, Equatable {
    /// Model runs at the same time: the sum of the `instance_group` counts, or the server's default.
    var instances: Int
    /// Whether concurrent requests are merged along the batch dimension.
    var merges: Bool
    /// Largest merged batch (`max_batch_size`).
    var maxBatchSize: Int
    /// The batch size a merged run aims for: the largest `preferred_batch_size` (at most `max_batch_size`),
    /// else `max_batch_size`. A batch this large runs without waiting for the queue delay.
    var targetBatchSize: Int
    /// `preferred_batch_size` values (at most `max_batch_size`): a batch that runs is cut to the largest of
    /// them it reaches.
    var preferredBatchSizes: [Int]
    /// How long the oldest queued request may wait for others to join it (`max_queue_delay_microseconds`).
    var maxQueueDelayNanoseconds: UInt64
    /// Requests that may wait for a run (`default_queue_policy.max_queue_size`, else the server's default);
    /// past it requests are refused as busy (HTTP 503, gRPC UNAVAILABLE).
    var maxQueueSize: Int

    init(instances: Int, merges: Bool, maxBatchSize: Int, preferredBatchSizes: [Int] = [], maxQueueDelayNanoseconds: UInt64,
         maxQueueSize: Int) {
        self.instances = max(1, instances)
        self.merges = merges && maxBatchSize > 1
        let largest = max(1, maxBatchSize)
        self.maxBatchSize = largest
        self.preferredBatchSizes = preferredBatchSizes.filter { $0 > 0 && $0 <= largest }.sorted()
        self.targetBatchSize = self.preferredBatchSizes.last ?? largest
        self.maxQueueDelayNanoseconds = maxQueueDelayNanoseconds
        self.maxQueueSize = max(1, maxQueueSize)
    }

    /// The policy a model configuration asks for. `defaultInstances` applies without an `instance_group`
    /// count; `batchingByDefault` merges requests of batching models (`max_batch_size` > 0) that declare no
    /// `dynamic_batching` block.
    init(config: Inference_ModelConfig, defaultInstances: Int, defaultQueueSize: Int, batchingByDefault: Bool = false) {
        let counts = config.instanceGroup.map { Int($0.count) }.filter { $0 > 0 }
        let maxBatch = Int(config.maxBatchSize)
        let batching = config.dynamicBatching
        let preferred = batching.preferredBatchSize.map(Int.init).filter { $0 > 0 && $0 <= maxBatch }
        let queueLimit = Int(batching.defaultQueuePolicy.maxQueueSize)
        self.init(instances: counts.isEmpty ? defaultInstances : counts.reduce(0, +),
                  merges: maxBatch > 0 && (config.hasDynamicBatching || batchingByDefault),
                  maxBatchSize: maxBatch,
                  preferredBatchSizes: preferred,
                  maxQueueDelayNanoseconds: min(batching.maxQueueDelayMicroseconds, UInt64.max / 1000) * 1000,
                  maxQueueSize: queueLimit > 0 ? queueLimit : defaultQueueSize)
    }
}
